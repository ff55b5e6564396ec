package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code jipc channel ...} and {@code jipc demo channel}, run as separate processes on real shared memory. */
class ChannelCommandsIT {
    private final String name = "/jipc-it-" + ProcessHandle.current().pid() + "-channel";

    @AfterEach
    void removeChannel() throws Exception {
        Files.deleteIfExists(Path.of("/dev/shm" + name));
    }

    @Test
    void createWithAModeSetsExactlyThoseBitsAndABadModeIsAUsageError() throws Exception {
        assertEquals(0, Run.jipc("", "channel", "create", name, "--capacity", "4K", "--mode", "0640").exitCode());
        assertEquals("-rw-r-----", Run.bash("stat -c %A /dev/shm" + name).out().strip());
        Files.deleteIfExists(Path.of("/dev/shm" + name));
        Run.Result bad = Run.jipc("", "channel", "create", name, "--mode", "0999");
        assertEquals(64, bad.exitCode(), bad.err());
        assertFalse(Files.exists(Path.of("/dev/shm" + name)), "nothing created");
    }

    @Test
    void linesSentBeforeTheReceiverStartsArriveInOrderAndStatShowsTheFill() throws Exception {
        Run.Result created = Run.jipc("", "channel", "create", name, "--capacity", "64K");
        assertEquals(0, created.exitCode(), created.err());
        assertEquals(name + "\n", created.out());
        assertEquals("-rw-------", Run.bash("stat -c %A /dev/shm" + name).out().strip());

        Run.Result sent = Run.jipc("one\ntwo\nthree wörds\n", "channel", "send", name);
        assertEquals(0, sent.exitCode(), sent.err());

        Run.Result stat = Run.jipc("", "channel", "stat", name);
        assertEquals(0, stat.exitCode(), stat.err());
        assertTrue(stat.out().contains("capacity: 65536\n"), stat.out());
        // 3 lines (8 + 3, 8 + 3, 8 + 12 bytes, aligned: 16 + 16 + 24) and the empty end message (8)
        assertTrue(stat.out().contains("used: 64 "), stat.out());
        assertTrue(stat.out().contains("consumer: none registered"), stat.out());

        Run.Result received = Run.jipc("", "channel", "recv", name);
        assertEquals(0, received.exitCode(), received.err());
        assertEquals("one\ntwo\nthree wörds\n", received.out());
        assertTrue(Run.jipc("", "channel", "stat", name).out().contains("used: 0 "));
    }

    @Test
    void aWaitingReceiverGetsWhatASenderStartedLaterSends() throws Exception {
        assertEquals(0, Run.jipc("", "channel", "create", name).exitCode());
        Run.Result pipeline = Run.bash("""
                "$JAVA" -jar "$JAR" channel recv "$1" > "$2" &
                receiver=$!
                seq 1 1000 | "$JAVA" -jar "$JAR" channel send "$1"
                wait $receiver
                """, name, Files.createTempFile("jipc-it-", ".recv").toString());
        assertEquals(0, pipeline.exitCode(), pipeline.err());
    }

    @Test
    void threeSendersAtOnceOnAManyProducerChannelLoseNothingAndStatShowsTheirLiveness() throws Exception {
        assertEquals(0, Run.jipc("", "channel", "create", name, "--many-producers", "--capacity", "4K").exitCode());
        String fresh = Run.jipc("", "channel", "stat", name).out();
        assertTrue(fresh.contains("kind: many-to-one\n") && fresh.contains("producers: 0 holding slots\n"), fresh);
        Path output = Files.createTempFile("jipc-it-", ".recv");
        try {
            // 3 senders of 1000 lines each into a 4 KiB ring at the same time; one receiver counts 3000 lines
            Run.Result pipeline = Run.bash("""
                    "$JAVA" -jar "$JAR" channel recv --count 3000 --timeout 30s "$1" > "$2" &
                    receiver=$!
                    for p in a b c; do
                      seq 1 1000 | sed "s/^/$p /" | "$JAVA" -jar "$JAR" channel send --no-end --timeout 30s "$1" &
                    done
                    wait $receiver || exit 10
                    wait
                    """, name, output.toString());
            assertEquals(0, pipeline.exitCode(), pipeline.err());
            List<String> lines = Files.readAllLines(output);
            assertEquals(3000, lines.size());
            for (String p : List.of("a", "b", "c")) {
                List<String> mine = lines.stream().filter(line -> line.startsWith(p + " ")).toList();
                assertEquals(1000, mine.size(), p);
                for (int i = 0; i < mine.size(); i++) {
                    assertEquals(p + " " + (i + 1), mine.get(i), "sender " + p + "'s lines in its order");
                }
            }
        } finally {
            Files.deleteIfExists(output);
        }

        // A sender blocked on the full ring holds a slot: stat shows it alive, then dead once it is SIGKILLed.
        Run.Result blocked = Run.bash("""
                seq 1 100000 | "$JAVA" -jar "$JAR" channel send --timeout 60s "$1" &
                sender=$!
                for i in $(seq 1 300); do
                  "$JAVA" -jar "$JAR" channel stat "$1" | grep -q "^producer[.][0-9]*: pid .* (alive:" && break
                  sleep 0.1
                done
                "$JAVA" -jar "$JAR" channel stat "$1"
                kill -KILL $sender
                wait $sender
                "$JAVA" -jar "$JAR" channel stat "$1"
                """, name);
        String[] stats = blocked.out().split("(?=name: )");
        assertEquals(2, stats.length, blocked.out() + blocked.err());
        assertTrue(stats[0].contains("producers: 1 holding slots"), stats[0]);
        assertTrue(stats[0].matches("(?s).*producer\\.\\d+: pid \\d+ \\(alive: .*"), stats[0]);
        assertTrue(stats[1].matches("(?s).*producer\\.\\d+: pid \\d+ \\(dead: .*"), stats[1]);
    }

    @Test
    void aSecondReceiverOrASecondSenderOfAOneProducerChannelIsRefusedWithOneLineAndExit74() throws Exception {
        assertEquals(0, Run.jipc("", "channel", "create", name, "--capacity", "4K").exitCode());
        // A waiting receiver, and a sender that sent a line and waits for more on its standard input, hold the
        // two roles.
        Run.Result both = Run.bash("""
                dir=$(mktemp -d)
                mkfifo "$dir/in"
                "$JAVA" -jar "$JAR" channel recv "$1" > /dev/null &
                receiver=$!
                "$JAVA" -jar "$JAR" channel send "$1" < "$dir/in" &
                sender=$!
                exec 3> "$dir/in"
                echo first >&3
                for i in $(seq 1 300); do
                  out=$("$JAVA" -jar "$JAR" channel stat "$1")
                  grep -q "^consumer: pid .* (alive:" <<< "$out" && grep -q "^producer: pid .* (alive:" <<< "$out" && break
                  sleep 0.1
                done
                "$JAVA" -jar "$JAR" channel recv --timeout 1s "$1"; echo "recv exit $?"
                echo x | "$JAVA" -jar "$JAR" channel send "$1"; echo "send exit $?"
                kill -KILL $receiver $sender
                exec 3>&-
                wait
                rm -r "$dir"
                """, name);
        assertTrue(both.out().contains("recv exit 74\n") && both.out().contains("send exit 74\n"),
                both.out() + both.err());
        List<String> errors = both.err().lines().filter(l -> l.startsWith("jipc channel")).toList();
        assertEquals(2, errors.size(), both.err());
        assertTrue(errors.get(0).matches("jipc channel recv: the consumer of channel " + name
                + " is taken: pid \\d+ is alive \\(its token /dev/shm/jipc\\.live\\.[0-9a-f]{12} is locked\\)"),
                errors.get(0));
        assertTrue(errors.get(1).startsWith("jipc channel send: the producer of channel " + name + " is taken: pid "),
                errors.get(1));
        assertFalse(both.err().contains("Exception") || both.err().contains("\tat "), both.err());
    }

    @Test
    void receiverPrintsEveryLineOfALargerStream() throws Exception {
        assertEquals(0, Run.jipc("", "channel", "create", name, "--capacity", "4K").exitCode());
        Path output = Files.createTempFile("jipc-it-", ".recv");
        try {
            // 4 KiB ring, 3000 lines: the sender must wait for the receiver many times over
            Run.Result pipeline = Run.bash("""
                    "$JAVA" -jar "$JAR" channel recv "$1" > "$2" &
                    receiver=$!
                    seq 1 3000 | "$JAVA" -jar "$JAR" channel send --timeout 30s "$1" || exit 10
                    wait $receiver
                    """, name, output.toString());
            assertEquals(0, pipeline.exitCode(), pipeline.err());
            List<String> lines = Files.readAllLines(output);
            assertEquals(3000, lines.size());
            for (int i = 0; i < lines.size(); i++) {
                assertEquals(String.valueOf(i + 1), lines.get(i));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void timeoutsAndMistakesGiveOneLineAndTheirExitCodes() throws Exception {
        Run.Result missing = Run.jipc("", "channel", "recv", name, "--timeout", "100ms");
        assertEquals(66, missing.exitCode(), missing.err());
        missing.assertNoStackTrace();

        Run.Result badCapacity = Run.jipc("", "channel", "create", name, "--capacity", "1000");
        assertEquals(64, badCapacity.exitCode(), badCapacity.err());
        badCapacity.assertNoStackTrace();

        assertEquals(0, Run.jipc("", "channel", "create", name, "--capacity", "1K").exitCode());
        Run.Result nothing = Run.jipc("", "channel", "recv", name, "--timeout", "200ms", "--count", "1");
        assertEquals(69, nothing.exitCode(), nothing.err());
        nothing.assertNoStackTrace();

        // 1 KiB ring, max message 120 bytes: no consumer, so a sender with a timeout gives up
        String lines = ("x".repeat(100) + "\n").repeat(20);
        Run.Result full = Run.jipc(lines, "channel", "send", "--timeout", "200ms", name);
        assertEquals(69, full.exitCode(), full.err());
        assertTrue(full.err().contains("no consumer is registered"), full.err());

        Run.Result tooLong = Run.jipc("x".repeat(500) + "\n", "channel", "send", name);
        assertEquals(64, tooLong.exitCode(), tooLong.err());

        Run.Result exists = Run.jipc("", "channel", "create", name);
        assertEquals(73, exists.exitCode(), exists.err());
    }

    @Test
    void rmRemovesChannelsOnlyAndForceIgnoresAMissingOne() throws Exception {
        assertEquals(0, Run.jipc("", "shm", "create", name, "--size", "8K").exitCode());
        Run.Result notChannel = Run.jipc("", "channel", "rm", name);
        assertEquals(66, notChannel.exitCode(), notChannel.err());
        assertTrue(Files.exists(Path.of("/dev/shm" + name)), "a non-channel object must be left alone");
        Files.delete(Path.of("/dev/shm" + name));

        assertEquals(0, Run.jipc("", "channel", "create", name).exitCode());
        assertEquals(0, Run.jipc("", "channel", "rm", name).exitCode());
        assertFalse(Files.exists(Path.of("/dev/shm" + name)));
        assertEquals(66, Run.jipc("", "channel", "rm", name).exitCode());
        assertEquals(0, Run.jipc("", "channel", "rm", "-f", name).exitCode());
    }

    @Test
    void demoConsumerSleepsThenReceivesEveryMessageInOrderAndNothingIsLeft() throws Exception {
        Run.Result result = Run.jipc("", "demo", "channel", "--messages", "7");
        assertEquals(0, result.exitCode(), result.err());
        String out = result.out();
        Matcher parent = Pattern.compile("\\[parent pid (\\d+)]").matcher(out);
        assertTrue(parent.find(), out);
        assertTrue(out.contains("is asleep in FUTEX_WAIT"), out);
        int last = -1;
        for (int i = 1; i <= 7; i++) {
            int at = out.indexOf("received: message " + i + " from producer pid " + parent.group(1));
            assertTrue(at > last, "message " + i + " missing or out of order:\n" + out);
            last = at;
        }
        assertTrue(out.contains("end of stream after 7 messages, all in order"), out);
        assertFalse(Files.exists(Path.of("/dev/shm/jipc-demo-channel-" + parent.group(1))));
    }
}
