package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jipc.channel.RecordDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code jipc top}, run as a separate process next to real channels, topics and rpc objects. */
class TopCommandIT {
    private final String prefix = "/jipc-it-" + ProcessHandle.current().pid() + "-top";
    private final String channel = prefix + "-channel";
    private final String topic = prefix + "-topic";
    private final String rpc = prefix + "-rpc";

    @AfterEach
    void removeObjects() throws Exception {
        for (String name : List.of(channel, topic, rpc)) {
            Files.deleteIfExists(Path.of("/dev/shm" + name));
        }
    }

    @Test
    void onceJsonShowsTheExactPositionsOfAChannelFedBySendAndTheKindsOfATopicAndAnRpcObject() throws Exception {
        assertEquals(0, Run.jipc("", "channel", "create", channel, "--capacity", "64K").exitCode());
        assertEquals(0, Run.jipc("", "topic", "create", topic).exitCode());
        Run.Result rpcCreated = Run.jipc("", "rpc", "create", rpc);
        assertEquals(0, rpcCreated.exitCode(), rpcCreated.err());
        List<String> lines = List.of("one", "two", "three wörds", "", "a somewhat longer line of text");
        Run.Result sent = Run.jipc(String.join("\n", lines) + "\n", "channel", "send", channel);
        assertEquals(0, sent.exitCode(), sent.err());
        long tail = RecordDescriptor.recordSpace(0); // the end message
        for (String line : lines) {
            tail += RecordDescriptor.recordSpace(line.getBytes(StandardCharsets.UTF_8).length);
        }

        Run.Result top = Run.jipc("", "top", "--once", "--json", prefix);
        assertEquals(0, top.exitCode(), top.err());
        String out = top.out();
        assertTrue(out.startsWith("[\n") && out.endsWith("\n]\n"), out);
        assertEquals(5, out.lines().count(), "three objects, one a line:\n" + out);
        String c = line(out, channel);
        assertTrue(c.contains("\"kind\": \"channel\", \"variant\": \"1:1\""), c);
        assertTrue(c.contains("\"capacity\": 65536, \"tail\": " + tail + ", \"head\": 0, \"used\": " + tail), c);
        assertTrue(c.contains("\"bytesPerSec\": 0.0"), "nobody sends now: " + c);
        assertTrue(c.contains("\"lag\": " + tail + ", \"consumerPid\": null, \"consumerAlive\": null"), c);
        assertTrue(line(out, topic).contains("\"kind\": \"topic\", \"variant\": \"block\""), out);
        assertTrue(line(out, topic).contains("\"tail\": 0, \"bytesPerSec\": 0.0, \"nextSequence\": 0"), out);
        String r = line(out, rpc);
        assertTrue(r.contains("\"kind\": \"rpc\"") && r.contains("\"servicePid\": null") && r.contains("\"clients\": 0"),
                r);

        Run.Result table = Run.jipc("", "top", "--once", prefix);
        assertEquals(0, table.exitCode(), table.err());
        assertTrue(table.out().startsWith("KIND "), table.out());
        assertTrue(line(table.out(), channel).matches("channel 1:1 +" + channel + " +68K +" + tail + " .*"),
                table.out());
    }

    @Test
    void aChannelThatASenderKeepsFeedingHasARateAboveZero() throws Exception {
        assertEquals(0, Run.jipc("", "channel", "create", channel, "--capacity", "64K").exitCode());
        // a receiver drains what a sender of endless lines writes; top samples twice, 200 ms apart, until it sees
        // the tail move and the receiver registered (the two JVMs take a while to start: under load the sender
        // alone filled the ring and moved the tail before the receiver was there)
        Run.Result run = Run.bash("""
                "$JAVA" -jar "$JAR" channel recv "$1" > /dev/null &
                receiver=$!
                yes "a line of text" | "$JAVA" -jar "$JAR" channel send "$1" &
                sender=$!
                status=1
                for i in $(seq 1 40); do
                  out=$("$JAVA" -jar "$JAR" top --once --json "$1")
                  if printf '%s' "$out" | grep -q '"bytesPerSec": [1-9]' \\
                      && printf '%s' "$out" | grep -q '"consumerAlive": true'; then status=0; break; fi
                done
                printf '%s\\n' "$out"
                kill $sender $receiver
                wait
                exit $status
                """, channel);
        assertEquals(0, run.exitCode(), "no rate above 0 seen:\n" + run.out() + run.err());
        String c = line(run.out(), channel);
        assertTrue(c.contains("\"kind\": \"channel\"") && c.contains("\"consumerAlive\": true"), c);
        assertTrue(c.contains("\"producers\": 1, \"producersAlive\": 1"), c);
    }

    @Test
    void everySortOrderIsAcceptedAndTheWholeHostIsShownWithoutAPrefix() throws Exception {
        assertEquals(0, Run.jipc("", "channel", "create", channel).exitCode());
        for (String order : List.of("rate", "name", "fill", "lag")) {
            Run.Result top = Run.jipc("", "top", "--once", "--sort", order, "--interval", "50ms", prefix);
            assertEquals(0, top.exitCode(), order + ": " + top.err());
            assertTrue(top.out().contains(channel), order + ": " + top.out());
        }
        Run.Result all = Run.jipc("", "top", "--once", "--json");
        assertEquals(0, all.exitCode(), all.err());
        assertTrue(all.out().contains("\"name\": \"" + channel + "\""), all.out());
    }

    @Test
    void badInputIsAUsageErrorWithoutAStackTrace() throws Exception {
        for (List<String> args : List.of(
                List.of("top", "--once", "--sort", "busiest"),
                List.of("top", "--once", "--interval", "0"),
                List.of("top", "--once", "--interval", "soon"),
                List.of("top", "--once", "orders"),
                List.of("top", "--once", "/a", "/b"),
                List.of("top", "--bogus"))) {
            Run.Result bad = Run.jipc("", args.toArray(String[]::new));
            assertEquals(64, bad.exitCode(), args + ": " + bad.err());
            assertEquals("", bad.out(), args.toString());
            bad.assertNoStackTrace();
        }
    }

    /** The line of {@code out} that shows {@code name}. */
    private static String line(String out, String name) {
        return out.lines().filter(l -> l.contains("\"" + name + "\"") || l.contains(" " + name + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no line for " + name + " in:\n" + out));
    }
}
