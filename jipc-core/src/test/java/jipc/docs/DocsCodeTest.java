package jipc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;


import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import jipc.process.Spawn;
import jipc.shm.PosixSharedMemory;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import jipc.testing.Python;

/**
 * Every code block of README.md and docs/*.md is compiled against this build, so the docs cannot rot:
 * {@code java} blocks with javac (against {@code jipc-core/target/classes} only), {@code c} blocks with
 * {@code gcc -Wall -Wextra -Werror} against {@code native/}, {@code python} blocks with {@code py_compile}.
 * A marker, an HTML comment on the last non-blank line before the block, says how (docs/architecture.md):
 * <ul>
 *   <li>no marker: a whole program (Java: a class with {@code main}; C: a file with {@code main}), compiled as it is;
 *   <li>{@code <!-- run: "text" ... -->}: a whole Java program that is also run in a fresh JVM (at most 60 s) and
 *       must exit 0 having printed every quoted text;
 *   <li>{@code <!-- snippet -->} or {@code <!-- snippet: MEMBERS -->}: Java statements, compiled as the body of a
 *       method that throws {@code Exception}, in a class that imports every exported jipc package and declares
 *       {@code MEMBERS} (the names the snippet uses without declaring); C statements, compiled as the body of
 *       {@code main} after every {@code native/} header;
 *   <li>{@code <!-- snippet: file scope -->} (C only): declarations compiled after {@code <stdint.h>};
 *   <li>{@code <!-- snippet, runs before the c block below: "text" ... -->} (or {@code python block}): a Java
 *       snippet run as a program, then the next c (python) block of the file run after it, which must exit 0 having
 *       printed every quoted text.
 * </ul>
 * A Java or C block that is neither a program nor marked fails, so no unchecked block can be added.
 */
class DocsCodeTest {
    private static final Pattern FENCE = Pattern.compile("^( *)```([a-z]*)\\s*$");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*(.*?)\\s*-->\\s*$");
    private static final Pattern JAVA_CLASS = Pattern.compile("(?m)^(?:public\\s+)?(?:final\\s+)?class\\s+(\\w+)");
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern PAIR = Pattern.compile("snippet, runs before the (c|python) block below:(.*)");
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    /** The guides of an API: each must start with a block that the test runs. */
    private static final List<String> MECHANISM_GUIDES = List.of("docs/channel.md", "docs/pipes.md",
            "docs/shared-memory.md", "docs/sync.md", "docs/topic.md", "docs/rpc.md", "docs/virtual-threads.md",
            "docs/java.md", "docs/python.md");

    private static final String JAVA_IMPORTS = """
            import java.io.*;
            import java.lang.foreign.*;
            import java.nio.ByteBuffer;
            import java.nio.file.*;
            import java.time.*;
            import java.util.*;
            import jipc.*;
            import jipc.channel.*;
            import jipc.fifo.*;
            import jipc.io.*;
            import jipc.live.*;
            import jipc.pipe.*;
            import jipc.process.*;
            import jipc.rpc.*;
            import jipc.shm.*;
            import jipc.stale.*;
            import jipc.sync.*;
            import jipc.topic.*;
            import static java.lang.foreign.ValueLayout.*;
            import static java.nio.charset.StandardCharsets.UTF_8;
            """;

    private static final String C_HEADERS = """
            #include "jipc_channel.h"
            #include "jipc_live.h"
            #include "jipc_rpc.h"
            #include "jipc_sem.h"
            #include "jipc_topic.h"
            #include <errno.h>
            #include <fcntl.h>
            #include <stdint.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <sys/stat.h>
            #include <unistd.h>
            """;

    /** One fenced block: where it is, its language, its marker (or null) and its text without the fence's indent. */
    record Block(String file, int line, String lang, String marker, String code) {
        String where() {
            return file + ":" + line;
        }
    }

    static Path root() {
        return Gcc.moduleDir().getParent();
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
        for (int i = 0; i < lines.size(); i++) {
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
            blocks.add(new Block(file, start + 1, open.group(2), marker, code.toString()));
        }
        return blocks;
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompiles() throws IOException {
        List<Block> all = blocks();
        return all.stream().filter(b -> b.lang().equals("java"))
                .map(b -> DynamicTest.dynamicTest(b.where() + (b.marker() == null ? "" : " " + b.marker()),
                        () -> checkJava(b, all)));
    }

    @TestFactory
    Stream<DynamicTest> everyCBlockCompiles() throws IOException {
        return blocks().stream().filter(b -> b.lang().equals("c"))
                .map(b -> DynamicTest.dynamicTest(b.where() + (b.marker() == null ? "" : " " + b.marker()),
                        () -> checkC(b)));
    }

    @TestFactory
    Stream<DynamicTest> everyPythonBlockCompiles() throws IOException {
        return blocks().stream().filter(b -> b.lang().equals("python"))
                .map(b -> DynamicTest.dynamicTest(b.where(), () -> checkPython(b)));
    }

    @Test
    void mechanismGuidesStartWithARunnableExample() throws IOException {
        List<Block> all = blocks();
        for (String guide : MECHANISM_GUIDES) {
            Block first = all.stream().filter(b -> b.file().equals(guide)).findFirst()
                    .orElseThrow(() -> new AssertionError(guide + " has no code block"));
            assertTrue(first.lang().equals("java") && first.marker() != null
                    && (first.marker().startsWith("run:") || PAIR.matcher(first.marker()).matches()),
                    first.where() + ": the first block of a guide must be a Java program marked <!-- run: ... --> "
                            + "or a snippet that runs before its peer's block");
        }
    }

    @Test
    void aBlockWithoutMarkerOrClassIsRefused() {
        Block bare = blocks("x.md", List.of("```java", "int x = 1;", "```")).getFirst();
        AssertionError e = assertThrows(AssertionError.class, () -> checkJava(bare, List.of(bare)));
        assertTrue(e.getMessage().startsWith("x.md:2: a java block must be"), e.getMessage());
    }

    @Test
    void aBlockThatDoesNotCompileFailsWithItsLineAndJavacsMessage() {
        Block broken = blocks("x.md", List.of("text", "<!-- snippet -->", "```java", "int x = 1;", "int y = nope;",
                "```")).getFirst();
        AssertionError e = assertThrows(AssertionError.class, () -> checkJava(broken, List.of(broken)));
        assertTrue(e.getMessage().contains("x.md:5: error: cannot find symbol"),
                e.getMessage());
    }

    @Test
    void markersAndIndentAreRead() {
        List<Block> blocks = blocks("x.md", List.of("- item", "", "  <!-- snippet: int n; -->", "  ```c", "  a;",
                "    b;", "  ```", "```sh", "ls", "```"));
        assertEquals(List.of(new Block("x.md", 5, "c", "snippet: int n;", "a;\n  b;\n"),
                new Block("x.md", 9, "sh", null, "ls\n")), blocks);
    }

    // ---- Java

    private static void checkJava(Block block, List<Block> all) throws Exception {
        String marker = block.marker();
        Matcher cls = JAVA_CLASS.matcher(block.code());
        boolean program = cls.find() && block.code().contains("void main(");
        if (marker == null || marker.startsWith("run:")) {
            if (!program) {
                throw new AssertionError(block.where() + ": a java block must be a whole program (a class with main) "
                        + "or be marked <!-- snippet --> or <!-- snippet: MEMBERS --> (see docs/architecture.md)");
            }
            Path classes = compileJava(block, cls.group(1), block.code(), 0);
            if (marker != null) {
                run(block, cls.group(1), classes, expectedTexts(block, marker.substring("run:".length())));
            }
        } else if (marker.equals("snippet") || marker.startsWith("snippet:")) {
            String members = marker.equals("snippet") ? "" : marker.substring("snippet:".length()).strip();
            compileSnippet(block, members, block.code());
        } else if (PAIR.matcher(marker).matches()) {
            Matcher pair = PAIR.matcher(marker);
            pair.matches();
            runPair(block, pair.group(1), all, expectedTexts(block, pair.group(2)));
        } else {
            throw new AssertionError(block.where() + ": unknown marker <!-- " + marker + " -->");
        }
    }

    /** The snippet as the body of {@code Snippet.snippet()}, which {@code Snippet.main} calls. */
    private static Path compileSnippet(Block block, String members, String code) throws IOException {
        String prefix = JAVA_IMPORTS + "class Snippet {\n" + members
                + "\npublic static void main(String[] args) throws Exception { new Snippet().snippet(); }"
                + "\nvoid snippet() throws Exception {\n";
        return compileJava(block, "Snippet", prefix + code + "}\n}\n", (int) prefix.lines().count());
    }

    /**
     * A Java snippet run as a program, then the next {@code lang} block of the same file (c or python) run after it:
     * that program must exit 0 having printed every expected text. The POSIX names in the Java block
     * ({@code "/frames"}) get a unique suffix in both blocks, so that builds running at once do not meet, and are
     * removed afterwards.
     */
    private static void runPair(Block java, String lang, List<Block> all, List<String> expected) throws Exception {
        Block peer = all.stream().filter(b -> b.file().equals(java.file()) && b.line() > java.line()
                && b.lang().equals(lang)).findFirst()
                .orElseThrow(() -> new AssertionError(java.where() + ": no " + lang + " block follows"));
        Map<String, String> unique = new LinkedHashMap<>();
        Matcher names = Pattern.compile("\"(/[\\w.-]+)\"").matcher(java.code());
        while (names.find()) {
            unique.put(names.group(1), names.group(1) + "-docs-" + ProcessHandle.current().pid());
        }
        String javaCode = java.code();
        String peerCode = peer.code();
        for (Map.Entry<String, String> name : unique.entrySet()) {
            javaCode = javaCode.replace("\"" + name.getKey() + "\"", "\"" + name.getValue() + "\"");
            peerCode = peerCode.replace("\"" + name.getKey() + "\"", "\"" + name.getValue() + "\"");
        }
        Path classes = compileSnippet(java, "", javaCode);
        Spawn command;
        if (lang.equals("c")) {
            Path program = compileC(peer, peerCode);
            if (program == null) {
                return;
            }
            command = Spawn.command(program.toString());
        } else {
            if (peerCode.contains("numpy") && !Capture.run(Python.command("-c", "import numpy")).status().success()) {
                Assumptions.abort(peer.where() + " needs numpy, which is optional and not installed");
            }
            Path script = outDir(peer, "py").resolve("pair.py");
            Files.writeString(script, peerCode, StandardCharsets.UTF_8);
            command = Python.command(script.toString());   // python/ on PYTHONPATH, its native part built
        }
        try {
            run(java, "Snippet", classes, List.of());
            Capture.Result result;
            try (Capture capture = Capture.start(command)) {
                result = capture.finish(RUN_TIMEOUT);
            }
            if (!result.status().success()) {
                fail(peer.where() + ": the " + lang + " program ended with " + result.status() + "\nstdout:\n"
                        + result.out() + "stderr:\n" + result.err());
            }
            for (String text : expected) {
                if (!result.out().contains(text)) {
                    fail(peer.where() + ": the " + lang + " program did not print \"" + text + "\"; stdout:\n"
                            + result.out() + "stderr:\n" + result.err());
                }
            }
        } finally {
            for (String name : unique.values()) {
                PosixSharedMemory.unlinkIfExists(name);
            }
        }
    }

    /** Compiles one source into its own directory; a failure names the block's file and line and javac's message. */
    private static Path compileJava(Block block, String className, String source, int linesBefore)
            throws IOException {
        // java.util.spi.ToolProvider: javac in this JVM, without the tests reading module java.compiler
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError("no javac"));
        Path out = outDir(block, "java");
        Path file = out.resolve(className + ".java");
        Files.writeString(file, source, StandardCharsets.UTF_8);
        StringWriter messages = new StringWriter();
        int exit = javac.run(new PrintWriter(messages), new PrintWriter(messages), "-proc:none", "-encoding", "UTF-8",
                "-Xdiags:compact", "-d", out.toString(), "-cp", Gcc.moduleDir().resolve("target/classes").toString(),
                file.toString());
        if (exit != 0) {
            // javac's "Snippet.java:LINE: error: ..." becomes the Markdown file and line
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(file.toString()) + ":(\\d+):")
                    .matcher(messages.toString());
            StringBuilder message = new StringBuilder();
            while (m.find()) {
                int line = Integer.parseInt(m.group(1)) - linesBefore - 1 + block.line();
                m.appendReplacement(message, Matcher.quoteReplacement(block.file() + ":" + line + ":"));
            }
            m.appendTail(message);
            throw new AssertionError(block.where() + ": javac failed\n" + message.toString().strip());
        }
        return out;
    }

    private static void run(Block block, String className, Path classes, List<String> expected) throws IOException {
        String classPath = classes + ":" + Gcc.moduleDir().resolve("target/classes");
        Spawn java = Spawn.command(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classPath, "--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", className);
        Capture.Result result;
        try (Capture capture = Capture.start(java)) {
            result = capture.finish(RUN_TIMEOUT);
        }
        if (!result.status().success()) {
            fail(block.where() + ": the program ended with " + result.status() + "\nstdout:\n" + result.out()
                    + "stderr:\n" + result.err());
        }
        for (String text : expected) {
            if (!result.out().contains(text)) {
                fail(block.where() + ": the program did not print \"" + text + "\"; stdout:\n" + result.out()
                        + "stderr:\n" + result.err());
            }
        }
    }

    private static List<String> expectedTexts(Block block, String marker) {
        List<String> texts = new ArrayList<>();
        Matcher m = QUOTED.matcher(marker);
        while (m.find()) {
            texts.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        if (texts.isEmpty()) {
            throw new AssertionError(block.where() + ": <!-- run: ... --> names no \"output\" to check");
        }
        return texts;
    }

    // ---- C

    private static void checkC(Block block) throws Exception {
        compileC(block, block.code());
    }

    /** Compiles (and links, unless it is file scope) a c block's code; null if gcc is missing and not required. */
    private static Path compileC(Block block, String code) throws Exception {
        String marker = block.marker();
        String source;
        int linesBefore;
        boolean link;
        if (marker == null) {
            if (!block.code().contains("int main(")) {
                throw new AssertionError(block.where() + ": a c block must be a whole program (with main) or be "
                        + "marked <!-- snippet --> or <!-- snippet: file scope --> (see docs/architecture.md)");
            }
            source = code;
            linesBefore = 0;
            link = true;
        } else if (marker.equals("snippet")) {
            String prefix = C_HEADERS + "int main(void) {\n";
            source = prefix + code + "}\n";
            linesBefore = (int) prefix.lines().count();
            link = true;
        } else if (marker.equals("snippet: file scope")) {
            String prefix = "#include <stdint.h>\n";
            source = prefix + code;
            linesBefore = 1;
            link = false;
        } else {
            throw new AssertionError(block.where() + ": unknown marker <!-- " + marker + " -->");
        }
        Path gcc = Gcc.onPath("gcc");
        if (gcc == null) {
            Gcc.program("fd3_reader"); // aborts (or fails under CI) with the message saying what to install
            return null;
        }
        Path dir = outDir(block, "c");
        Path file = dir.resolve("block.c");
        Files.writeString(file, source);
        List<String> command = new ArrayList<>(List.of(gcc.toString(), "-std=gnu11", "-O1", "-Wall", "-Wextra",
                "-Werror", "-I" + Gcc.nativeDir(), "-o", dir.resolve(link ? "block" : "block.o").toString()));
        if (!link) {
            command.add("-c");
        }
        command.add(file.toString());
        if (link) {
            for (String c : List.of("jipc_channel.c", "jipc_live.c", "jipc_rpc.c", "jipc_sem.c", "jipc_topic.c")) {
                command.add(Gcc.nativeDir().resolve(c).toString());
            }
            command.add("-pthread");
        }
        Capture.Result result;
        try (Capture capture = Capture.start(Spawn.command(command))) {
            result = capture.finish(RUN_TIMEOUT);   // gcc on a busy machine can take longer than Capture's 30 s
        }
        if (!result.status().success()) {
            // gcc's "block.c:LINE:COL:" becomes the Markdown file and line
            Matcher m = Pattern.compile(Pattern.quote(file.toString()) + ":(\\d+):").matcher(result.err());
            StringBuilder message = new StringBuilder();
            while (m.find()) {
                int line = Integer.parseInt(m.group(1)) - linesBefore - 1 + block.line();
                m.appendReplacement(message, Matcher.quoteReplacement(block.file() + ":" + line + ":"));
            }
            m.appendTail(message);
            fail(block.where() + ": gcc -Wall -Wextra -Werror failed\n" + message);
        }
        return link ? dir.resolve("block") : null;
    }

    // ---- Python

    private static void checkPython(Block block) throws Exception {
        Path python = Gcc.onPath("python3");
        if (python == null) {
            Python.interpreter(); // aborts (or fails under CI) with the message saying what to install
            return;
        }
        Path file = outDir(block, "py").resolve("block.py");
        Files.writeString(file, block.code(), StandardCharsets.UTF_8);
        Capture.Result result = Capture.run(Spawn.command(python.toString(), "-c",
                "import sys, py_compile; py_compile.compile(sys.argv[1], cfile=sys.argv[1] + 'c', doraise=True)",
                file.toString()));
        if (!result.status().success()) {
            fail(block.where() + ": not valid Python (the block is block.py)\n" + result.err());
        }
    }

    private static Path outDir(Block block, String kind) throws IOException {
        Path dir = Gcc.moduleDir().resolve("target/docs-code").resolve(kind)
                .resolve(block.file().replace('/', '_') + "_" + block.line());
        Files.createDirectories(dir);
        return dir;
    }
}
