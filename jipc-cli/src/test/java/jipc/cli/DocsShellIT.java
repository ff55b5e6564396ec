package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code sh} block of README.md and docs/*.md marked {@code <!-- run: "text" ... -->} (on the last non-blank
 * line before the block) runs as a script, so the shell examples cannot rot: {@code bash -euo pipefail}, in a fresh
 * temporary directory that holds {@code jipc} (a wrapper that runs the built {@code target/jipc.jar} with this JDK 25
 * as the {@code ./jipc} launcher does, but never builds) and {@code python} (the repository's {@code python/}
 * package), with this JDK's {@code bin} first on {@code PATH}, in a session of its own. It must end within 60 s with
 * exit 0 having printed every quoted text on stdout, and leave nothing in {@code /dev/shm} named with its pid
 * ({@code $$}, which the examples put in every name they create; a {@code create} without {@code $$} in its name
 * fails the block). Whatever the block left running is killed with its session. A block that uses
 * {@code unshare --pid} is skipped, with the reason, where that is refused (as in {@link ContainersIT}). The
 * non-API guides must each start with such a block, before their first {@code ##} section. The markers are those of
 * jipc-core's {@code DocsCodeTest}, which compiles the java, c and python blocks (docs/architecture.md, "Code in the
 * docs").
 */
class DocsShellIT {
    private static final Pattern FENCE = Pattern.compile("^( *)```([a-z]*)\\s*$");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*(.*?)\\s*-->\\s*$");
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** A jipc command that creates a named object; its name must carry {@code $$}. */
    private static final Pattern CREATE = Pattern.compile("jipc (channel|topic|rpc|shm|sem) create (\\S+)");
    private static final long DEADLINE_SECONDS = 60;
    private static final Path SHM = Path.of("/dev/shm");

    /** The guides that are not about one API: each must start with a shell block that this test runs. */
    private static final List<String> SHELL_GUIDES = List.of("docs/cli.md", "docs/reliability.md",
            "docs/containers.md", "docs/monitoring.md", "docs/benchmarks.md", "docs/channel-format.md",
            "docs/topic-format.md", "docs/rpc-format.md", "docs/sync-format.md", "docs/liveness-format.md");

    /** One fenced block: where it is, its language, its marker (or null), its text, and the section it is in. */
    record Block(String file, int line, String lang, String marker, String code, boolean inSection) {
        String where() {
            return file + ":" + line;
        }
    }

    /** What one run of a block left behind. */
    record Outcome(int exitCode, String out, String err, List<String> leftInShm) {
    }

    static Path root() {
        return Run.LAUNCHER.getParent();
    }

    /** Every fenced block of README.md and docs/*.md, in order. */
    static List<Block> blocks() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root().resolve("README.md"));
        try (Stream<Path> docs = Files.list(root().resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Block> blocks = new ArrayList<>();
        for (Path file : files) {
            blocks.addAll(blocks(root().relativize(file).toString(), Files.readAllLines(file)));
        }
        return blocks;
    }

    static List<Block> blocks(String file, List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        boolean inSection = false;
        for (int i = 0; i < lines.size(); i++) {
            inSection |= lines.get(i).startsWith("## ");
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int indent = open.group(1).length();
            String marker = null;
            for (int j = i - 1; j >= 0; j--) {
                if (!lines.get(j).isBlank()) {
                    Matcher m = MARKER.matcher(lines.get(j));
                    marker = m.matches() ? m.group(1) : null;
                    break;
                }
            }
            StringBuilder code = new StringBuilder();
            int start = i + 1;
            for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                String line = lines.get(i);
                code.append(line.length() >= indent && line.substring(0, indent).isBlank()
                        ? line.substring(indent) : line.strip()).append('\n');
            }
            if (i == lines.size()) {
                throw new AssertionError(file + ":" + start + ": code block never closed");
            }
            blocks.add(new Block(file, start + 1, open.group(2), marker, code.toString(), inSection));
        }
        return blocks;
    }

    private static boolean runnableShell(Block block) {
        return block.lang().equals("sh") && block.marker() != null && block.marker().startsWith("run:");
    }

    @TestFactory
    Stream<DynamicTest> everyMarkedShellBlockRunsAndPrintsItsTexts() throws IOException {
        return blocks().stream().filter(DocsShellIT::runnableShell)
                .map(b -> DynamicTest.dynamicTest(b.where() + " " + b.marker(), () -> check(b)));
    }

    @Test
    void everyNonApiGuideStartsWithARunnableShellBlock() throws IOException {
        List<Block> all = blocks();
        for (String guide : SHELL_GUIDES) {
            Block first = all.stream().filter(b -> b.file().equals(guide)).findFirst()
                    .orElseThrow(() -> new AssertionError(guide + " has no code block"));
            assertTrue(runnableShell(first) && !first.inSection(), first.where() + ": the first block of " + guide
                    + " must be an sh block marked <!-- run: \"text\" ... -->, before the first ## section");
        }
    }

    @Test
    void aBlockThatFailsMissesATextOrLeavesAnObjectInDevShmFails() throws Exception {
        Block fails = block("echo one; false; echo two", "run: \"one\"");
        AssertionError e = assertThrows(AssertionError.class, () -> check(fails));
        assertTrue(e.getMessage().startsWith("x.md:3: the block ended with exit 1"), e.getMessage());

        Block silent = block("echo one", "run: \"one\" \"two\"");
        e = assertThrows(AssertionError.class, () -> check(silent));
        assertTrue(e.getMessage().startsWith("x.md:3: the block did not print \"two\""), e.getMessage());

        Block leaks = block("touch /dev/shm/docs-it-$$; echo left", "run: \"left\"");
        e = assertThrows(AssertionError.class, () -> check(leaks));
        String leakedText = "x.md:3: the block printed every text and left ";
        assertTrue(e.getMessage().startsWith(leakedText + "/dev/shm/docs-it-"), e.getMessage());
        String leaked = e.getMessage().substring(leakedText.length()).split(" ")[0];
        assertTrue(!Files.exists(Path.of(leaked)), leaked + " is removed after the failure");

        Block anonymous = block("./jipc channel create /fixed-name", "run: \"x\"");
        e = assertThrows(AssertionError.class, () -> check(anonymous));
        assertTrue(e.getMessage().startsWith("x.md:3: ./jipc channel create /fixed-name: a name the block creates "
                + "must carry $$"), e.getMessage());
    }

    @Test
    void aBlockThatHangsIsKilledWithWhatItStartedAfterTheDeadline() throws Exception {
        // A background job outlives bash unless the session is killed: it must not survive the block.
        Outcome outcome = run("sleep 1000 & echo \"sleeper $!\"; wait", 2);
        assertEquals(-1, outcome.exitCode(), outcome.toString());
        Matcher sleeper = Pattern.compile("sleeper (\\d+)").matcher(outcome.out());
        assertTrue(sleeper.find(), outcome.out());
        Path stat = Path.of("/proc", sleeper.group(1), "stat");
        // Gone, or a zombie that its new parent has not reaped yet.
        until(10, "the background sleep of the killed block ends", () -> endedOrZombie(stat));
    }

    /** Whether the process of {@code /proc/PID/stat} is gone or a zombie (state Z, after the command's ")"). */
    private static boolean endedOrZombie(Path stat) {
        try {
            String fields = Files.readString(stat);
            return fields.substring(fields.lastIndexOf(") ") + 2).startsWith("Z");
        } catch (IOException e) {
            return true; // no /proc/PID: reaped
        }
    }

    /** A condition that may throw. */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /** Checks {@code condition} every millisecond or so until it holds, as jipc-core's {@code Await.until}. */
    private static void until(long seconds, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out after " + seconds + " s waiting for: " + what);
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static Block block(String code, String marker) {
        return blocks("x.md", List.of("<!-- " + marker + " -->", "```sh", code, "```")).getFirst();
    }

    private static void check(Block block) throws Exception {
        List<String> expected = expectedTexts(block);
        Matcher create = CREATE.matcher(block.code());
        while (create.find()) {
            if (!create.group(2).contains("$$")) {
                throw new AssertionError(block.where() + ": ./" + create.group() + ": a name the block creates must "
                        + "carry $$ (the shell's pid), so that runs at once do not meet and leftovers are found");
            }
        }
        if (block.code().contains("unshare --pid")) {
            String refused = unshareRefused();
            Assumptions.assumeTrue(refused == null, block.where() + " is skipped: " + refused);
        }
        Outcome outcome = run(block.code(), DEADLINE_SECONDS);
        String left = outcome.leftInShm().isEmpty() ? ""
                : " and left " + String.join(", ", outcome.leftInShm()) + " (removed now)";
        String output = left + "\nstdout:\n" + outcome.out() + "stderr:\n" + outcome.err();
        if (outcome.exitCode() == -1) {
            throw new AssertionError(block.where() + ": the block still ran after " + DEADLINE_SECONDS
                    + " s and was killed" + output);
        }
        if (outcome.exitCode() != 0) {
            throw new AssertionError(block.where() + ": the block ended with exit " + outcome.exitCode()
                    + " (bash -euo pipefail; its line N is line " + block.line() + " + N - 1 of the file)" + output);
        }
        for (String text : expected) {
            if (!outcome.out().contains(text)) {
                throw new AssertionError(block.where() + ": the block did not print \"" + text + "\"" + output);
            }
        }
        if (!left.isEmpty()) {
            throw new AssertionError(block.where() + ": the block printed every text" + output);
        }
    }

    /**
     * Runs {@code code} as {@code block.sh} with {@code bash -euo pipefail} in a fresh directory and a session of its
     * own ({@code setsid}: bash keeps the pid Java started, so {@code $$} is {@link Process#pid()}); after it ends,
     * or after {@code seconds} (exit code -1), kills whatever is left of the session, then removes what it left in
     * /dev/shm under a name with its pid.
     */
    static Outcome run(String code, long seconds) throws Exception {
        Path dir = Files.createTempDirectory("jipc-docs-sh-");
        try {
            Path wrapper = dir.resolve("jipc");
            // As the ./jipc launcher runs the jar (C1 only, full JIT for bench), without its build step.
            Files.writeString(wrapper, """
                    #!/bin/sh
                    jit=-XX:TieredStopAtLevel=1
                    [ "${1:-}" = bench ] && jit=
                    exec '%s' -XX:+UseSerialGC $jit ${JIPC_JAVA_OPTS:-} -jar '%s' "$@"
                    """.formatted(Run.JAVA, Run.JAR));
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createSymbolicLink(dir.resolve("python"), root().resolve("python"));
            Files.writeString(dir.resolve("block.sh"), code, StandardCharsets.UTF_8);
            Set<String> before = shmNames();
            ProcessBuilder builder = new ProcessBuilder("setsid", "bash", "-euo", "pipefail", "block.sh")
                    .directory(dir.toFile());
            String javaHome = Run.JAVA.getParent().getParent().toString();
            builder.environment().put("JAVA_HOME", javaHome);
            builder.environment().put("PATH", Run.JAVA.getParent() + ":" + System.getenv("PATH"));
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process bash = builder.start();
            int exit;
            try {
                exit = bash.waitFor(seconds, TimeUnit.SECONDS) ? bash.exitValue() : -1;
            } finally {
                killSession(bash);
            }
            String pid = Long.toString(bash.pid());
            Pattern ownName = Pattern.compile("(?<![0-9A-Za-z])" + pid + "(?![0-9])");
            List<String> left = new ArrayList<>();
            for (String name : shmNames()) {
                if (!before.contains(name) && ownName.matcher(name).find()) {
                    left.add("/dev/shm/" + name);
                    Files.deleteIfExists(SHM.resolve(name));
                }
            }
            return new Outcome(exit, Files.readString(out), Files.readString(err), left);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** {@code kill -KILL -- -PID}: bash and everything it left running (background jobs stay in its group). */
    private static void killSession(Process bash) throws Exception {
        bash.destroyForcibly();
        Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + bash.pid())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(kill.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "kill ended");
        assertTrue(bash.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "bash ended");
    }

    private static Set<String> shmNames() throws IOException {
        try (Stream<Path> names = Files.list(SHM)) {
            return names.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    /** Null if {@code unshare --pid --fork --kill-child --mount-proc true} works here, else why not. */
    private static String unshareRefused() throws Exception {
        Run.Result result = Run.run(new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
                "--", "true"), "");
        return result.exitCode() == 0 ? null
                : "unshare --pid is refused here: exit " + result.exitCode() + " " + result.err().strip();
    }

    private static List<String> expectedTexts(Block block) {
        List<String> texts = new ArrayList<>();
        Matcher m = QUOTED.matcher(block.marker().substring("run:".length()));
        while (m.find()) {
            texts.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        if (texts.isEmpty()) {
            throw new AssertionError(block.where() + ": <!-- run: ... --> names no \"output\" to check");
        }
        return texts;
    }
}
