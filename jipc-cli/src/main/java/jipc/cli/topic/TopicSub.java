package jipc.cli.topic;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.channel.LineProtocol;
import jipc.live.Liveness;
import jipc.live.PartyState;
import jipc.topic.SharedTopic;
import jipc.topic.Topic;
import jipc.topic.TopicSubscriber;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jipc topic sub NAME}: takes a subscriber slot and prints each message as a line until the end-of-stream
 * message, {@code --count} messages, or {@code --timeout} without a message; reports lost messages on stderr.
 */
@Command(name = "sub", description = {"Take a subscriber slot and print each message on its own line, until an "
        + "end-of-stream message (type 2) arrives (exit 0), --count messages were printed (exit 0), or --timeout "
        + "passed without a message (exit 69 if nothing came at all or --count was not reached, else 0).",
        "Starts with the next message published; --history K starts with the last K messages still in the ring.",
        "OVERWRITE topics: whenever the publisher lapped this subscriber, prints 'lost N messages (lapped)' on "
                + "stderr before the next line, and the total at the end. While it waits it sleeps in the kernel "
                + "(futex): an idle sub uses no CPU.",
        "Exit 74 if all 64 subscriber slots are held by live subscribers."})
public final class TopicSub implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The topic's name: /name.")
    String name;

    @Option(names = {"-k", "--history"}, paramLabel = "K", defaultValue = "0",
            description = "Start with up to K messages published before this subscriber joined (those still whole in "
                    + "the ring); default: ${DEFAULT-VALUE}.")
    int history;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Stop after N messages.")
    Long count;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Timeout.class,
            description = "Stop when no message came for DURATION (500ms, 10s, 2m); default: wait as long as it takes.")
    Duration timeout;

    private OutputStream out;
    private TopicSubscriber subscriber;
    private boolean ended;
    private long printed;
    private long lostReported;

    @Override
    public Integer call() throws Exception {
        if (count != null && count < 1) {
            throw new Failure(ExitCodes.USAGE, "--count=" + count + " must be at least 1");
        }
        if (history < 0) {
            throw new Failure(ExitCodes.USAGE, "--history=" + history + " must be at least 0");
        }
        out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        try (SharedTopic shared = SharedTopic.attach(name);
             TopicSubscriber sub = shared.topic().subscribe(history)) {
            subscriber = sub;
            try {
                while (!ended && (count == null || printed < count)) {
                    // One message a poll, so that --count and the end-of-stream stop exactly there.
                    int got = sub.poll(this::print, 1, timeout);
                    if (got == 0 || !sub.hasMessage()) {
                        out.flush();
                    }
                    if (got == 0 && timeout != null && !sub.hasMessage()) {
                        if (printed == 0 || count != null) {
                            throw new Failure(ExitCodes.UNAVAILABLE, "no message for " + timeout.toMillis() + " ms"
                                    + (count != null ? " after " + printed + " of " + count : "") + " ("
                                    + publisher(shared.topic()) + ")");
                        }
                        break;
                    }
                }
            } finally {
                out.flush();
                reportLost(true);
            }
        }
        return 0;
    }

    private void print(int type, MemorySegment payload) {
        reportLost(false); // a gap shows before the line that follows it
        if (type == LineProtocol.END) {
            ended = true;
            return;
        }
        try {
            out.write(payload.toArray(ValueLayout.JAVA_BYTE));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output", e);
        }
        printed++;
    }

    /** Says on stderr how many messages were lost since the last report (and at the end, the total, if any). */
    private void reportLost(boolean atEnd) {
        long lost = subscriber.lostMessages();
        String command = spec.qualifiedName();
        if (lost > lostReported) {
            try {
                out.flush(); // the lines before the gap first
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to standard output", e);
            }
            System.err.println(command + ": lost " + (lost - lostReported) + " message"
                    + (lost - lostReported == 1 ? "" : "s") + " (lapped)");
            lostReported = lost;
        }
        if (atEnd && lost > 0) {
            System.err.println(command + ": received " + subscriber.receivedMessages() + ", lost " + lost
                    + " in all (lapped: the publisher overwrote them before they were read)");
        }
        System.err.flush();
    }

    private static String publisher(Topic topic) {
        PartyState state = topic.publisherState();
        return state.life() == PartyState.Life.NONE ? "no publisher"
                : "publisher " + Liveness.describe(topic.publisherPid(), 0) + " " + state.word();
    }
}
