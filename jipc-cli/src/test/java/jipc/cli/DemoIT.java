package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void shmDemoChildWritesHelloWorldTheParentReadsItAndNoSegmentIsLeftBehind() throws Exception {
        Run.Result result = Run.jipc("", "demo", "shm");

        assertEquals(0, result.exitCode(), result.err());
        String out = result.out();
        long child = childPid(out);
        long parent = parentPid(out);
        Matcher created = Pattern.compile("created segment id (\\d+)").matcher(out);
        assertTrue(created.find(), out);
        String id = created.group(1);
        assertTrue(out.contains("[child pid " + child + "] started with argument " + id), out);
        assertTrue(out.contains("[child pid " + child + "] shmat(" + id + ", NULL, 0) attached it"), out);
        int wrote = out.indexOf("[child pid " + child + "] wrote \"Hello World\"");
        int exited = out.indexOf("child pid " + child + " exited with code 0");
        int read = out.indexOf("[parent pid " + parent + "] Message from child: Hello World\n");
        assertTrue(wrote >= 0 && wrote < exited && exited < read, out);
        assertTrue(out.contains("last attached or detached by pid " + child + " (the child)"), out);
        assertTrue(out.contains("shmctl(" + id + ", IPC_RMID) removed the segment"), out);
        assertEquals(List.of(), segmentsCreatedBy(parent), "left in /proc/sysvipc/shm");
    }

    @Test
    void shmDemoRemovesTheSegmentWhenTheChildFails() throws Exception {
        // The child JVM's own -XX:+UseSerialGC conflicts with this collector from the environment, so it cannot
        // start; the parent (given no other collector) starts fine.
        ProcessBuilder builder = new ProcessBuilder(Run.JAVA.toString(), "-jar", Run.JAR.toString(), "demo", "shm");
        builder.environment().put("JAVA_TOOL_OPTIONS", "-XX:+UseParallelGC");

        Run.Result result = Run.run(builder, "");

        assertEquals(ExitCodes.SOFTWARE, result.exitCode(), result.out() + result.err());
        assertTrue(result.err().contains("jipc demo shm: child pid " + childPid(result.out()) + " ended with"),
                result.err());
        assertFalse(result.out().contains("Message from child"), result.out());
        assertEquals(List.of(), segmentsCreatedBy(parentPid(result.out())), "left in /proc/sysvipc/shm");
    }

    @Test
    void semDemoReaderChecksEveryMessageInOrderAndNoProcessIsLeft() throws Exception {
        Run.Result result = Run.jipc("", "demo", "sem", "--rounds", "4");

        assertEquals(0, result.exitCode(), result.out() + result.err());
        String out = result.out();
        Matcher writerPid = Pattern.compile("\\[writer pid (\\d+)]").matcher(out);
        Matcher started = Pattern.compile("started the reader, pid (\\d+)").matcher(out);
        assertTrue(writerPid.find() && started.find(), out);
        String writer = writerPid.group(1);
        String reader = started.group(1);
        assertNotEquals(writer, reader, out);
        int last = out.indexOf("created two binary semaphores");
        assertTrue(last > 0, out);
        for (int round = 1; round <= 4; round++) {
            String message = "message " + round + " from writer pid " + writer;
            int wrote = out.indexOf("[writer pid " + writer + "] took 'empty' (1 -> 0); wrote \"" + message + "\"");
            int checked = out.indexOf("[reader pid " + reader + "] took 'full' (1 -> 0); read \"" + message
                    + "\": checked, round " + round + " of 4");
            assertTrue(last < wrote && wrote < checked, "round " + round + " out of order:\n" + out);
            last = checked;
        }
        assertFalse(out.contains("message 5 from"), out);
        assertTrue(out.contains("[reader pid " + reader + "] all 4 messages checked"), out);
        assertTrue(out.indexOf("child pid " + reader + " exited with code 0") > last, out);
        assertTrue(ProcessHandle.of(Long.parseLong(reader)).map(ProcessHandle::isAlive).orElse(false) == false,
                "the reader still runs");
    }

    @Test
    void semDemoFailsInsteadOfHangingWhenTheReaderCannotRun() throws Exception {
        // As in the shm test above: the child JVM cannot start with this collector from the environment.
        ProcessBuilder builder = new ProcessBuilder(Run.JAVA.toString(), "-jar", Run.JAR.toString(), "demo", "sem");
        builder.environment().put("JAVA_TOOL_OPTIONS", "-XX:+UseParallelGC");

        Run.Result result = Run.run(builder, "");

        assertEquals(ExitCodes.SOFTWARE, result.exitCode(), result.out() + result.err());
        assertTrue(result.err().contains("jipc demo sem: the reader, pid "), result.err());
        assertFalse(result.out().contains("checked, round"), result.out());
    }

    @Test
    void semDemoRejectsZeroRounds() throws Exception {
        Run.Result result = Run.jipc("", "demo", "sem", "--rounds", "0");

        assertEquals(ExitCodes.USAGE, result.exitCode(), result.err());
        result.assertNoStackTrace();
    }

    @Test
    void topicDemoEverySubscriberReadsInOrderTheKilledOneIsDroppedWithinASliceAndNothingIsLeft() throws Exception {
        long started = System.nanoTime();
        Run.Result result = Run.jipc("", "demo", "topic");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        assertEquals(0, result.exitCode(), result.out() + result.err());
        String out = result.out();
        Matcher publisher = Pattern.compile("\\[publisher pid (\\d+)]").matcher(out);
        assertTrue(publisher.find(), out);
        String pid = publisher.group(1);
        Matcher ab = Pattern.compile("started subscriber A \\(pid (\\d+)\\) and subscriber B \\(pid (\\d+)\\)")
                .matcher(out);
        Matcher late = Pattern.compile("started subscriber C \\(pid (\\d+)\\) late, with history 5").matcher(out);
        assertTrue(ab.find() && late.find(), out);
        String a = ab.group(1);
        String b = ab.group(2);
        String c = late.group(1);
        // B reads 3 messages and stops; the 1 KiB ring then takes 15 more of 64 bytes before offer() says no
        assertTrue(out.contains("published messages 4 to 18 without waiting; offer() of message 19 returned false:"),
                out);
        assertTrue(out.contains("[subscriber B pid " + b + "]") && out.contains("I stop reading now"), out);
        assertFalse(out.matches("(?s).*\\[subscriber B pid " + b + "][^\n]*received: message 4 .*"),
                "B read past message 3:\n" + out);
        // A reads all 21, C its history of 5 (14..18) and the 3 after it, each in order
        assertInOrder(out, "subscriber A pid " + a, pid, 1, 21);
        assertInOrder(out, "subscriber C pid " + c, pid, 14, 21);
        assertFalse(out.matches("(?s).*\\[subscriber C pid " + c + "][^\n]*received: message 13 .*"), out);
        assertTrue(out.contains("end of stream after 21 messages, in order, 0 lost. Exiting with code 0."), out);
        assertTrue(out.contains("end of stream after 8 messages, in order, 0 lost. Exiting with code 0."), out);
        // the publisher slept on the full ring, B was killed, and put() went on within a wait slice or so
        Matcher kill = Pattern.compile("put\\(\\) of message 19 returned (\\d+\\.\\d) ms after the SIGKILL")
                .matcher(out);
        assertTrue(out.contains("sending SIGKILL to B (pid " + b + ")") && kill.find(), out);
        assertTrue(Double.parseDouble(kill.group(1)) < 1000, "the publisher took long to drop B:\n" + out);
        assertTrue(out.contains("B (pid " + b + ") ended: killed by signal 9"), out);
        // the table: A and C caught up, B's slot free
        assertTrue(out.matches("(?s).*\\n +\\d+ A +" + a + " alive +1344 +0 +21 +0 (yes|no)\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n +\\d+ C +" + c + " alive +1344 +0 +8 +0 (yes|no)\\n.*"), out);
        assertFalse(out.matches("(?s).*\\n +\\d+ B +" + b + " .*"), out);
        assertTrue(out.contains("unlinked /jipc-demo-topic-" + pid + ". Done."), out);
        assertFalse(Files.exists(Path.of("/dev/shm/jipc-demo-topic-" + pid)), "the topic is left in /dev/shm");
        assertTrue(seconds < 30, "the demo took " + seconds + " s");
    }

    /** {@code who}'s "received: message N" lines for N = from..to appear in that order. */
    private static void assertInOrder(String out, String who, String publisher, int from, int to) {
        int last = -1;
        for (int i = from; i <= to; i++) {
            Matcher line = Pattern.compile("\\[" + who + "] +[\\d.]+ s  received: message " + i + " from publisher pid "
                    + publisher + " \\(sequence " + (i - 1) + "\\)\\n").matcher(out);
            assertTrue(line.find() && line.start() > last, who + ": message " + i + " missing or out of order:\n"
                    + out);
            last = line.start();
        }
    }

    /** Rows of /proc/sysvipc/shm whose creator (cpid) is {@code pid}. */
    private static List<String> segmentsCreatedBy(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/sysvipc/shm")).stream().skip(1)
                .filter(line -> line.trim().split("\\s+")[4].equals(Long.toString(pid)))
                .toList();
    }

    private static long parentPid(String out) {
        Matcher parent = PARENT.matcher(out);
        assertTrue(parent.find(), out);
        return Long.parseLong(parent.group(1));
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
