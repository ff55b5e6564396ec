package jipc.cli.topic;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.channel.LineProtocol;
import jipc.live.Liveness;
import jipc.topic.SharedTopic;
import jipc.topic.SubscriberInfo;
import jipc.topic.Topic;
import jipc.topic.TopicPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc topic pub NAME [TEXT...]}: takes the publisher role and publishes each TEXT (or each line of stdin) as
 * one message, then an end-of-stream message. In BLOCK mode it waits while the slowest live subscriber is a ring
 * behind, at most {@code --timeout} for each message.
 */
@Command(name = "pub", description = {"Take the topic's publisher role and publish each TEXT, or without TEXT each "
        + "line of stdin, as one message (type 1, without the newline), then an end-of-stream message (type 2) "
        + "unless --no-end.",
        "BLOCK topics: waits while the slowest live subscriber is a whole ring behind (a subscriber that dies is "
                + "dropped within 100 ms); with --timeout, fails (exit 69) when no room came in time. OVERWRITE "
                + "topics: never waits.",
        "One publisher at a time: exit 74 if another live process holds the role."})
public final class TopicPub implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", index = "0", description = "The topic's name: /name.")
    String name;

    @Parameters(paramLabel = "TEXT", index = "1..*", arity = "0..*",
            description = "Messages to publish, one each; without any, the lines of stdin.")
    List<String> texts = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Timeout.class,
            description = "Wait at most DURATION for room for each message (500ms, 10s, 2m); default: as long as it takes.")
    Duration timeout;

    @Option(names = "--no-end", description = "Do not publish the end-of-stream message (more publishers follow).")
    boolean noEnd;

    @Override
    public Integer call() throws Exception {
        try (SharedTopic shared = SharedTopic.attach(name)) {
            Topic topic = shared.topic();
            for (int i = 0; i < texts.size(); i++) {
                checkLength(topic, texts.get(i).getBytes(StandardCharsets.UTF_8), "TEXT " + (i + 1));
            }
            try (TopicPublisher publisher = topic.publisher()) {
                long sent = 0;
                if (!texts.isEmpty()) {
                    for (String text : texts) {
                        put(publisher, LineProtocol.LINE, text.getBytes(StandardCharsets.UTF_8), ++sent);
                    }
                } else {
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                        checkLength(topic, bytes, "line " + (sent + 1));
                        put(publisher, LineProtocol.LINE, bytes, ++sent);
                    }
                }
                if (!noEnd) {
                    put(publisher, LineProtocol.END, new byte[0], sent + 1);
                }
            }
        }
        return 0;
    }

    private static void checkLength(Topic topic, byte[] bytes, String what) {
        if (bytes.length > topic.maxMessageLength()) {
            throw new Failure(ExitCodes.USAGE, what + " is " + bytes.length
                    + " bytes, more than the topic's largest message (" + topic.maxMessageLength() + ")");
        }
    }

    private void put(TopicPublisher publisher, int type, byte[] bytes, long number) throws InterruptedException {
        if (!publisher.put(type, MemorySegment.ofArray(bytes), timeout)) {
            throw new Failure(ExitCodes.UNAVAILABLE, "the ring stayed full for " + timeout.toMillis()
                    + " ms at message " + number + ": " + slowest(publisher.topic()));
        }
    }

    /** Words for the subscriber that holds the publisher back: the live one furthest behind. */
    private static String slowest(Topic topic) {
        SubscriberInfo slowest = null;
        for (SubscriberInfo s : topic.subscribers()) {
            if (s.cursor() >= 0 && (slowest == null || s.lagBytes() > slowest.lagBytes())) {
                slowest = s;
            }
        }
        if (slowest == null) {
            return "no subscriber holds it back any more";
        }
        return "subscriber slot " + slowest.slot() + ", " + Liveness.describe(slowest.pid(), slowest.pidNamespace())
                + ", is " + slowest.lagBytes() + " bytes behind (" + slowest.state().word() + ": "
                + slowest.state().reason() + ")";
    }
}
