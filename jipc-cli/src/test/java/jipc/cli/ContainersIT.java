package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * jipc across the containers of one pod: commands in pid namespaces of their own ({@code unshare --pid --fork
 * --mount-proc}, or its user-namespace form without root) that share {@code /dev/shm}. A receiver in container B is
 * alive to {@code stat} here, keeps a second receiver out (exit 74, one line) and its channel from {@code jipc clean}
 * in container C; once it is SIGKILLed, {@code stat} says dead, a new receiver takes over and gets what container C
 * sends, and {@code jipc clean} removes the channel and the dead receiver's token. No command prints a stack trace.
 * jipc-core's {@code jipc.testing.PidNamespace} does the same for the library's tests.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ContainersIT {
    /** bash as the container's init: starts the command as its only child and exits as it does. */
    private static final String INIT = "\"$@\" <&0 & wait $! 2>/dev/null";
    private static final Probe PROBE = Probe.probe();
    private static final Pattern CONSUMER = Pattern.compile(
            "consumer: pid (\\d+) in another pid namespace \\((\\d+)\\) \\((alive|dead): its token "
                    + "(/dev/shm/jipc\\.live\\.[0-9a-f]{12}) is (locked|not locked|gone)\\)\n");

    private final String name = "/jipc-it-" + ProcessHandle.current().pid() + "-containers";
    private final List<Path> files = new ArrayList<>();

    @BeforeEach
    void namespaces() {
        assumeTrue(PROBE.unshare != null, PROBE.reason);
    }

    @AfterEach
    void remove() throws Exception {
        Files.deleteIfExists(Path.of("/dev/shm" + name));
        for (Path file : files) {
            Files.deleteIfExists(file);
        }
    }

    /** {@code unshare ... bash-init java -jar jipc.jar ARGS}: jipc in a container of its own (pid 2 there). */
    private static List<String> jipcInContainer(String... args) {
        List<String> command = new ArrayList<>(PROBE.unshare);
        // Without perf data: the containers share /tmp, and /tmp/hsperfdata_USER/2 would be every container's.
        command.addAll(List.of("--", "bash", "-c", INIT, "init", Run.JAVA.toString(), "-XX:-UsePerfData", "-jar",
                Run.JAR.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static Run.Result inContainer(String stdin, String... args) throws Exception {
        Run.Result result = Run.run(new ProcessBuilder(jipcInContainer(args)).directory(new File("/")), stdin);
        result.assertNoStackTrace();
        return result;
    }

    private static Run.Result here(String stdin, String... args) throws Exception {
        Run.Result result = Run.jipc(stdin, args);
        result.assertNoStackTrace();
        return result;
    }

    private static Matcher consumer(String stat) {
        Matcher m = CONSUMER.matcher(stat);
        assertTrue(m.find(), stat);
        return m;
    }

    @Test
    void receiverInAnotherContainerHoldsItsRoleAndChannelUntilKilledThenANewReceiverTakesOver() throws Exception {
        Run.Result created = here("", "channel", "create", name, "--capacity", "64K");
        assertEquals(0, created.exitCode(), created.err());

        // Container B: a receiver, waiting (asleep on the futex) for messages.
        Path bOut = Files.createTempFile("jipc-it-", ".out");
        Path bErr = Files.createTempFile("jipc-it-", ".err");
        files.addAll(List.of(bOut, bErr));
        Process b = new ProcessBuilder(jipcInContainer("channel", "recv", name)).directory(new File("/"))
                .redirectOutput(bOut.toFile()).redirectError(bErr.toFile()).start();
        try {
            ProcessHandle receiver = onlyChild(onlyChild(b.toHandle())); // unshare → init → java
            String stat = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // the display fields (pid, pid namespace) follow the role's compare-and-set: a stat that read the party
            // just before the pid was stored shows "pid 0" for that instant (seen once under load); wait past it
            while (!stat.contains("consumer-waiting: yes") || stat.contains("consumer: pid 0 ")) {
                assertTrue(b.isAlive(), "the receiver in B ended: " + Files.readString(bErr));
                assertTrue(System.nanoTime() < deadline, "B's receiver is not waiting after 60 s: " + stat);
                Thread.sleep(100);
                stat = here("", "channel", "stat", name).out();
            }

            // Host (container A): stat shows B's receiver as it recorded itself, alive by its token.
            Matcher alive = consumer(stat);
            assertEquals("2", alive.group(1), stat);
            String bNamespace = Files.readSymbolicLink(Path.of("/proc/" + receiver.pid() + "/ns/pid")).toString();
            assertEquals("pid:[" + alive.group(2) + "]", bNamespace);
            assertEquals("alive", alive.group(3), stat);
            String token = alive.group(4);

            // A second receiver here is refused: exit 74, one line naming the role and the holder.
            Run.Result second = here("", "channel", "recv", name, "--timeout", "1s");
            assertEquals(74, second.exitCode(), second.out() + second.err());
            assertEquals("jipc channel recv: the consumer of channel " + name + " is taken: pid 2 in another pid "
                    + "namespace (" + alive.group(2) + ") is alive (its token " + token + " is locked)\n",
                    second.err());
            assertEquals("", second.out());

            // Container C: jipc clean keeps the channel, whose consumer lives.
            Run.Result kept = inContainer("", "clean", name);
            assertEquals(0, kept.exitCode(), kept.err());
            assertTrue(kept.out().startsWith("left     posix " + name + "  jipc channel; consumer pid 2 in another "
                    + "pid namespace (" + alive.group(2) + ") alive (its token " + token + " is locked)\n"),
                    kept.out());
            assertTrue(kept.out().endsWith("removed 0 stale objects (0 posix, 0 sysv); left 1 in use, 0 unknown\n"),
                    kept.out());
            assertTrue(Files.exists(Path.of("/dev/shm" + name)));

            // B's receiver is killed: its container ends, and stat says dead by the same token.
            receiver.destroyForcibly();
            assertTrue(b.waitFor(30, TimeUnit.SECONDS), "container B ended");
            assertEquals(128 + 9, b.exitValue(), "B's init exits as its SIGKILLed receiver");
            assertEquals("", Files.readString(bOut));
            assertEquals("", Files.readString(bErr));
            Matcher dead = consumer(here("", "channel", "stat", name).out());
            assertEquals("dead", dead.group(3));
            assertEquals(token, dead.group(4));
            assertTrue(List.of("not locked", "gone").contains(dead.group(5)), dead.group()); // gone: cleaned up

            // Container C sends; a new receiver here takes the role over and gets every line, then gives it back.
            Run.Result sent = inContainer("one\ntwo\nthree\n", "channel", "send", name);
            assertEquals(0, sent.exitCode(), sent.err());
            Run.Result received = here("", "channel", "recv", name, "--timeout", "30s");
            assertEquals(0, received.exitCode(), received.err());
            assertEquals("one\ntwo\nthree\n", received.out());
            assertEquals("", received.err());
            assertTrue(here("", "channel", "stat", name).out().contains("consumer: none registered\n"));

            // Every party is dead now (creator, sender and receivers ended): jipc clean in container C removes the
            // channel, and the token the killed receiver left unless a cleaner removed that already.
            String tokenName = token.substring("/dev/shm".length());
            boolean tokenLeft = Files.exists(Path.of(token));
            Run.Result cleaned = tokenLeft ? inContainer("", "clean", name, tokenName) : inContainer("", "clean", name);
            assertEquals(0, cleaned.exitCode(), cleaned.err());
            List<String> lines = cleaned.out().lines().toList();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("removed  posix " + name + "  jipc channel; creator "
                    + "pid ") && l.contains(" dead (") && l.endsWith("; mapped nowhere else")), cleaned.out());
            if (tokenLeft) {
                assertTrue(lines.contains("removed  posix " + tokenName + "  jipc liveness token of a dead process; "
                        + "its token " + token + " is not locked"), cleaned.out());
            }
            int removed = tokenLeft ? 2 : 1;
            assertEquals("removed " + removed + " stale object" + (removed == 1 ? "" : "s") + " (" + removed
                    + " posix, 0 sysv); left 0 in use, 0 unknown", lines.getLast(), cleaned.out());
            assertFalse(Files.exists(Path.of("/dev/shm" + name)), "the channel is gone");
            assertFalse(Files.exists(Path.of(token)), "the dead receiver's token is gone");
        } finally {
            b.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            b.destroyForcibly();
            b.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The only child of {@code parent}, waiting up to a minute for it to appear. */
    private static ProcessHandle onlyChild(ProcessHandle parent) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (;;) {
            List<ProcessHandle> children = parent.children().toList();
            if (children.size() == 1) {
                return children.getFirst();
            }
            assertTrue(children.size() < 2 && parent.isAlive() && System.nanoTime() < deadline,
                    "pid " + parent.pid() + ": children " + children + ", alive " + parent.isAlive());
            Thread.sleep(1);
        }
    }

    /** The {@code unshare} options that make a pid namespace here, or why none do. */
    private record Probe(List<String> unshare, String reason) {
        static Probe probe() {
            List<String> root = List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc");
            List<String> user = List.of("unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child",
                    "--mount-proc");
            StringBuilder why = new StringBuilder();
            for (List<String> options : List.of(root, user)) {
                List<String> command = new ArrayList<>(options);
                command.addAll(List.of("--", "true"));
                try {
                    Run.Result result = Run.run(new ProcessBuilder(command), "");
                    if (result.exitCode() == 0) {
                        return new Probe(options, null);
                    }
                    why.append(String.join(" ", options)).append(": exit ").append(result.exitCode()).append(' ')
                            .append(result.err().strip()).append("; ");
                } catch (Exception e) {
                    why.append(String.join(" ", options)).append(": ").append(e.getMessage()).append("; ");
                }
            }
            String reason = "cannot make a pid namespace here: " + why;
            System.out.println("ContainersIT is skipped: " + reason);
            return new Probe(null, reason);
        }
    }
}
