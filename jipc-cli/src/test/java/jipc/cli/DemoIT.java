package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demos, run as the user runs them: the packaged jar in its own JVM, which spawns a child JVM. */
class DemoIT {
    private static final Pattern PARENT = Pattern.compile("\\[parent pid (\\d+)]");
    private static final Pattern SPAWNED = Pattern.compile("started child pid (\\d+)");

    @Test
    void pipeDemoChildPrintsTheParentsMessageAndTheStepsAreNarrated() throws Exception {
        Run.Result result = Run.jipc("", "demo", "pipe");

        assertEquals(0, result.exitCode(), result.err());
        String out = result.out();
        long child = childPid(out);
        assertTrue(out.contains("[child pid " + child + "] Child received: Hello from parent"), out);
        assertTrue(out.contains("read end fd") && out.contains("write end fd"), out);
        assertTrue(out.contains("child's fd 3"), out);
        assertTrue(out.contains("closed my read end fd"), out);
        assertTrue(out.contains("closed write end fd"), out);
        assertTrue(out.indexOf("Child received") < out.indexOf("child pid " + child + " exited with code 0"), out);
    }

    @Test
    void fifoDemoChildPrintsTheParentsMessageAndNoFifoIsLeftBehind(@TempDir Path tmp) throws Exception {
        Run.Result result = Run.jipc(List.of("-Djava.io.tmpdir=" + tmp), "", "demo", "fifo");

        assertEquals(0, result.exitCode(), result.err());
        String out = result.out();
        long child = childPid(out);
        assertTrue(out.contains("[child pid " + child + "] Child received: Hello from parent"), out);
        assertTrue(out.contains("mkfifo() created " + tmp), "the FIFO was not made in the temp dir given:\n" + out);
        assertTrue(out.contains("open() blocks until"), out);
        assertTrue(out.contains("unlinked "), out);
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList());
        }
    }

    /** The child's pid as the parent announced it; checks that parent and child are different processes. */
    private static long childPid(String out) {
        Matcher parent = PARENT.matcher(out);
        Matcher spawned = SPAWNED.matcher(out);
        assertTrue(parent.find() && spawned.find(), out);
        long child = Long.parseLong(spawned.group(1));
        assertNotEquals(Long.parseLong(parent.group(1)), child, out);
        return child;
    }
}
