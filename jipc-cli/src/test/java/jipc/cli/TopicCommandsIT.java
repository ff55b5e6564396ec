package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import jipc.topic.SharedTopic;
import jipc.topic.SubscriberInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code jipc topic ...}, run as separate processes on real shared memory: one publisher, several subscribers. */
@Timeout(180)
class TopicCommandsIT {
    private final String name = "/jipc-it-" + ProcessHandle.current().pid() + "-topic";
    private final List<Process> started = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    @AfterEach
    void removeTopic() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        Files.deleteIfExists(Path.of("/dev/shm" + name));
    }

    /** A {@code jipc ARGS} process in the background, its stdout and stderr into files. */
    private record Background(Process process, Path out, Path err) {
        String outText() throws Exception {
            return Files.readString(out);
        }

        String errText() throws Exception {
            return Files.readString(err);
        }

        int exitCode() throws Exception {
            return Run.waitFor(process);
        }
    }

    private Background start(String... args) throws Exception {
        Path out = Files.createTempFile("jipc-it-", ".out");
        Path err = Files.createTempFile("jipc-it-", ".err");
        files.add(out);
        files.add(err);
        List<String> command = new ArrayList<>(List.of(Run.JAVA.toString(), "-jar", Run.JAR.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        started.add(process);
        return new Background(process, out, err);
    }

    /** Waits (at most a minute) until the topic's occupied slots satisfy {@code condition}. */
    private void untilSubscribers(String what, Predicate<List<SubscriberInfo>> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (;;) {
            try (SharedTopic topic = SharedTopic.attach(name)) {
                if (condition.test(topic.topic().subscribers())) {
                    return;
                }
            }
            for (Process p : started) {
                assertTrue(p.isAlive() || p.exitValue() == 0 || p.exitValue() == 128 + 9 || p.exitValue() == 137,
                        "a jipc process failed while waiting for " + what);
            }
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static Predicate<List<SubscriberInfo>> joinedAndAsleep(int count) {
        return subs -> subs.size() == count && subs.stream().allMatch(s -> s.cursor() >= 0 && s.sleeping());
    }

    private static String numbers(int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i <= to; i++) {
            s.append(i).append('\n');
        }
        return s.toString();
    }

    @Test
    void twoSubscribersPrintEveryLineOfABlockTopicAndExitAtEndOfStream() throws Exception {
        Run.Result created = Run.jipc("", "topic", "create", name, "--capacity", "1K");
        assertEquals(0, created.exitCode(), created.err());
        assertEquals(name + "\n", created.out());
        assertEquals("-rw-------", Run.bash("stat -c %A /dev/shm" + name).out().strip());
        Background first = start("topic", "sub", name);
        Background second = start("topic", "sub", name);
        untilSubscribers("two subscribers asleep", joinedAndAsleep(2));

        // 3000 lines through a 1 KiB ring: the BLOCK publisher waits for the slower subscriber many times over
        Run.Result published = Run.jipc(numbers(1, 3000), "topic", "pub", name, "--timeout", "30s");
        assertEquals(0, published.exitCode(), published.err());

        for (Background sub : List.of(first, second)) {
            assertEquals(0, sub.exitCode(), sub.errText());
            assertEquals(numbers(1, 3000), sub.outText());
            assertEquals("", sub.errText(), "a BLOCK subscriber loses nothing");
        }
        String stat = Run.jipc("", "topic", "stat", name).out();
        assertTrue(stat.contains("next-sequence: 3001\n") && stat.contains("subscribers: 0 of 64 slots held\n"), stat);
    }

    @Test
    void historyStartsWithTheLastMessagesStillInTheRingAndATimeoutWithNothingIsExit69() throws Exception {
        assertEquals(0, Run.jipc("", "topic", "create", name, "--capacity", "4K").exitCode());
        Run.Result published = Run.jipc("", "topic", "pub", name, "--no-end", "a", "b", "c wörds", "d");
        assertEquals(0, published.exitCode(), published.err());

        Run.Result lastTwo = Run.jipc("", "topic", "sub", name, "--history", "2", "--timeout", "300ms");
        assertEquals(0, lastTwo.exitCode(), lastTwo.err());
        assertEquals("c wörds\nd\n", lastTwo.out());

        Run.Result all = Run.jipc("", "topic", "sub", name, "--history", "100", "--count", "4");
        assertEquals(0, all.exitCode(), all.err());
        assertEquals("a\nb\nc wörds\nd\n", all.out());

        Run.Result nothing = Run.jipc("", "topic", "sub", name, "--timeout", "200ms");
        assertEquals(69, nothing.exitCode(), nothing.err());
        assertEquals("jipc topic sub: no message for 200 ms (no publisher)\n", nothing.err());

        Run.Result tooFew = Run.jipc("", "topic", "sub", name, "--history", "1", "--count", "2", "--timeout", "200ms");
        assertEquals(69, tooFew.exitCode(), tooFew.err());
        assertEquals("d\n", tooFew.out());
        assertTrue(tooFew.err().startsWith("jipc topic sub: no message for 200 ms after 1 of 2"), tooFew.err());

        // the end-of-stream message is history too: a late subscriber of a finished stream ends at once
        assertEquals(0, Run.jipc("", "topic", "pub", name, "e").exitCode());
        Run.Result ended = Run.jipc("", "topic", "sub", name, "--history", "2");
        assertEquals(0, ended.exitCode(), ended.err());
        assertEquals("e\n", ended.out());
    }

    @Test
    void anOverwriteSubscriberStoppedWhileTheRingWrapsReportsExactlyWhatItLost() throws Exception {
        assertEquals(0, Run.jipc("", "topic", "create", name, "--capacity", "1K", "--overwrite").exitCode());
        Background sub = start("topic", "sub", name);
        untilSubscribers("the subscriber asleep", joinedAndAsleep(1));
        long pid = sub.process().pid();
        assertEquals(0, Run.bash("kill -STOP " + pid).exitCode());
        try {
            // the publisher never waits for a stopped subscriber: 1000 lines through a 1 KiB ring
            Run.Result published = Run.jipc(numbers(1, 1000), "topic", "pub", name, "--timeout", "5s");
            assertEquals(0, published.exitCode(), published.err());
            String stat = Run.jipc("", "topic", "stat", name).out();
            assertTrue(stat.contains("policy: overwrite\n") && stat.contains("next-sequence: 1001\n"), stat);
            assertTrue(stat.matches("(?s).*subscriber\\.0: pid " + pid + " \\(alive: .*\\), cursor 0, lag \\d+ "
                    + "bytes, received 0, lost 0, sleeping (yes|no)\n.*"), stat);
        } finally {
            Run.bash("kill -CONT " + pid);
        }
        assertEquals(0, sub.exitCode(), sub.errText());
        List<String> lines = sub.outText().lines().toList();
        int firstKept = Integer.parseInt(lines.getFirst());
        int lost = firstKept - 1;
        assertTrue(lost > 900, "a 1 KiB ring keeps only the last few dozen lines: " + lines);
        assertEquals(numbers(firstKept, 1000), sub.outText(), "what is left arrives whole and in order");
        int received = 1000 - firstKept + 1 + 1; // and the end-of-stream message
        assertEquals("jipc topic sub: lost " + lost + " messages (lapped)\n"
                + "jipc topic sub: received " + received + ", lost " + lost
                + " in all (lapped: the publisher overwrote them before they were read)\n", sub.errText());
    }

    @Test
    void statShowsPositionsThePublisherAndEachSubscriberAsTextAndJsonAndASecondPublisherIsRefused()
            throws Exception {
        assertEquals(0, Run.jipc("", "topic", "create", name, "--capacity", "4K").exitCode());
        Background sub = start("topic", "sub", name);
        untilSubscribers("the subscriber asleep", joinedAndAsleep(1));
        Background pub = start("topic", "pub", name);
        try (OutputStream in = pub.process().getOutputStream()) {
            in.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            // two 32-byte records (16 + 3 bytes each, rounded up to 16): the subscriber's cursor and the tail are 64
            untilSubscribers("two lines read", subs -> subs.size() == 1 && subs.getFirst().received() == 2
                    && subs.getFirst().cursor() == 64 && subs.getFirst().sleeping());
            long subPid = sub.process().pid();
            long pubPid = pub.process().pid();
            String text = statUntil("sleeping yes", "topic", "stat", name);
            assertTrue(text.startsWith("name: " + name + "\npolicy: block\ncapacity: 4096\nmax-message: 496\n"
                    + "tail: 64\noldest: 0\nnext-sequence: 2\n"), text);
            assertTrue(text.matches("(?s).*\ncreator: pid \\d+ \\(dead: [^\n]*\\)\n.*"), text);
            assertTrue(text.matches("(?s).*\npublisher: pid " + pubPid + " \\(alive: [^\n]*\\)\n"
                    + "publisher-waiting: no\nsubscribers: 1 of 64 slots held\n"
                    + "subscriber\\.0: pid " + subPid + " \\(alive: [^\n]*\\), cursor 64, lag 0 bytes, received 2, "
                    + "lost 0, sleeping yes\n"), text);

            String json = statUntil("\"sleeping\": true", "topic", "stat", "--json", name);
            assertTrue(json.startsWith("{\"name\": \"" + name + "\",\n \"policy\": \"block\",\n \"capacity\": 4096,\n"
                    + " \"maxMessage\": 496,\n \"tail\": 64,\n \"oldest\": 0,\n \"nextSequence\": 2,\n"), json);
            assertTrue(json.matches("(?s).*\n \"publisher\": \\{\"pid\": " + pubPid + ", \"state\": \"alive\", "
                    + "\"reason\": \"[^\"]*\", \"waiting\": false},\n.*"), json);
            assertTrue(json.matches("(?s).*\n \"subscribers\": \\[\n  \\{\"slot\": 0, \"pid\": " + subPid
                    + ", \"state\": \"alive\", \"reason\": \"[^\"]*\", \"cursor\": 64, \"lag\": 0, \"received\": 2, "
                    + "\"lost\": 0, \"sleeping\": true}\n ]}\n"), json);

            Run.Result second = Run.jipc("", "topic", "pub", name, "x");
            assertEquals(74, second.exitCode(), second.err());
            assertTrue(second.err().matches("jipc topic pub: the publisher of topic " + name + " is taken: pid "
                    + pubPid + " is alive \\([^\n]*\\)\n"), second.err());
        }
        // stdin closed: the publisher sends the end-of-stream message and gives the role back
        assertEquals(0, pub.exitCode(), pub.errText());
        assertEquals(0, sub.exitCode(), sub.errText());
        assertEquals("one\ntwo\n", sub.outText());
        String after = Run.jipc("", "topic", "stat", name).out();
        assertTrue(after.contains("\ntail: 80\n") && after.contains("\npublisher: none\n")
                && after.contains("\nsubscribers: 0 of 64 slots held\n"), after);
    }

    /** Runs {@code jipc ARGS} until its output contains {@code wanted} (a subscriber's sleeping bit flickers at
     *  the end of each 100 ms wait slice), at most 20 times. */
    private static String statUntil(String wanted, String... args) throws Exception {
        String out = "";
        for (int i = 0; i < 20 && !out.contains(wanted); i++) {
            Run.Result stat = Run.jipc("", args);
            assertEquals(0, stat.exitCode(), stat.err());
            out = stat.out();
        }
        return out;
    }

    @Test
    void rmRemovesTopicsOnlyAndOtherObjectsGiveTheFormatError() throws Exception {
        assertEquals(0, Run.jipc("", "shm", "create", name, "--size", "16K").exitCode());
        Run.Result notTopic = Run.jipc("", "topic", "rm", name);
        assertEquals(66, notTopic.exitCode(), notTopic.err());
        assertEquals("jipc topic rm: " + name + " is not a jipc topic (shared memory " + name + ": magic=0x0 != "
                + "0x31504f544350494a (not a jipc topic, or not created yet)); left alone: 'jipc shm rm' removes any "
                + "shared memory object\n", notTopic.err());
        assertTrue(Files.exists(Path.of("/dev/shm" + name)), "a non-topic object must be left alone");
        Files.delete(Path.of("/dev/shm" + name));

        assertEquals(0, Run.jipc("", "channel", "create", name, "--capacity", "64K").exitCode());
        for (String command : List.of("stat", "sub")) {
            Run.Result channel = Run.jipc("", "topic", command, name);
            assertEquals(66, channel.exitCode(), channel.err());
            assertTrue(channel.err().startsWith("jipc topic " + command + ": shared memory " + name + ": magic=0x"),
                    channel.err());
            assertTrue(channel.err().endsWith("(not a jipc topic, or not created yet)\n"), channel.err());
        }
        Files.delete(Path.of("/dev/shm" + name));

        assertEquals(0, Run.jipc("", "topic", "create", name, "--mode", "0640", "--overwrite").exitCode());
        assertEquals("-rw-r-----", Run.bash("stat -c %A /dev/shm" + name).out().strip());
        Run.Result exists = Run.jipc("", "topic", "create", name);
        assertEquals(73, exists.exitCode(), exists.err());
        assertEquals(0, Run.jipc("", "topic", "rm", name).exitCode());
        assertFalse(Files.exists(Path.of("/dev/shm" + name)));
        assertEquals(66, Run.jipc("", "topic", "rm", name).exitCode());
        assertEquals(0, Run.jipc("", "topic", "rm", "-f", name).exitCode());
    }

    private String lsRow(String ls) {
        return ls.lines().filter(l -> l.startsWith("posix  " + name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + " in\n" + ls));
    }

    @Test
    void shmLsAndCleanJudgeATopicByItsCreatorPublisherAndSubscribers() throws Exception {
        assertEquals(0, Run.jipc("", "topic", "create", name, "--capacity", "1K").exitCode());
        // its creator (that jipc process) is dead and it records nobody else: stale, as a channel would be
        String idle = lsRow(Run.jipc("", "shm", "ls", "--why").out());
        assertTrue(idle.matches(".* stale +jipc topic; creator pid \\d+ dead \\(.*\\); mapped nowhere else"), idle);

        Background sub = start("topic", "sub", name);
        untilSubscribers("the subscriber asleep", joinedAndAsleep(1));
        String used = lsRow(Run.jipc("", "shm", "ls", "--why").out());
        assertTrue(used.matches(".* in-use +jipc topic; subscriber pid " + sub.process().pid() + " alive \\(.*"), used);
        Run.Result kept = Run.jipc("", "clean", name);
        assertEquals(0, kept.exitCode(), kept.err());
        assertTrue(kept.out().startsWith("left     posix " + name + "  jipc topic; subscriber pid "), kept.out());
        assertTrue(Files.exists(Path.of("/dev/shm" + name)));

        sub.process().destroyForcibly();
        assertEquals(137, sub.exitCode());
        String dead = lsRow(Run.jipc("", "shm", "ls", "--why").out());
        assertTrue(dead.matches(".* stale +jipc topic; creator pid \\d+ dead \\(.*\\), subscriber pid "
                + sub.process().pid() + " dead \\(.*\\); mapped nowhere else"), dead);
        Run.Result cleaned = Run.jipc("", "clean", name);
        assertEquals(0, cleaned.exitCode(), cleaned.err());
        assertTrue(cleaned.out().startsWith("removed  posix " + name + "  jipc topic; "), cleaned.out());
        assertFalse(Files.exists(Path.of("/dev/shm" + name)));
    }

    @Test
    void aPublisherWithATimeoutGivesUpOnAStoppedBlockSubscriberAndNamesIt() throws Exception {
        assertEquals(0, Run.jipc("", "topic", "create", name, "--capacity", "1K").exitCode());
        Background sub = start("topic", "sub", name);
        untilSubscribers("the subscriber asleep", joinedAndAsleep(1));
        long pid = sub.process().pid();
        assertEquals(0, Run.bash("kill -STOP " + pid).exitCode());
        try {
            Run.Result full = Run.jipc(numbers(1, 100), "topic", "pub", name, "--timeout", "300ms");
            assertEquals(69, full.exitCode(), full.err());
            // 32-byte records (16 + 1..2 bytes): 31 fill 992 bytes; the 32nd and the 16-byte look-ahead header
            // after it would overwrite the record at the subscriber's cursor 0
            assertTrue(full.err().matches("jipc topic pub: the ring stayed full for 300 ms at message 32: subscriber "
                    + "slot 0, pid " + pid + ", is 992 bytes behind \\(alive: [^\n]*\\)\n"), full.err());
        } finally {
            Run.bash("kill -CONT " + pid);
        }
        sub.process().destroyForcibly();
    }
}
