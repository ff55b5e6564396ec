package jipc.cli.topic;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import jipc.cli.Json;
import jipc.live.Liveness;
import jipc.live.PartyState;
import jipc.topic.SharedTopic;
import jipc.topic.SubscriberInfo;
import jipc.topic.Topic;
import jipc.topic.TopicDescriptor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc topic stat NAME [--json]}: policy, geometry, positions, the publisher and one line per subscriber slot
 * (pid, liveness, cursor, lag, counts, whether it sleeps), as key: value lines or one JSON object.
 */
@Command(name = "stat", description = {"Print the topic's policy, capacity, positions (tail, oldest whole record), "
        + "the next sequence number, its creator and publisher and whether they are alive, and one line per "
        + "subscriber slot: pid, liveness, cursor, lag in bytes behind the tail, messages received and lost, and "
        + "whether it sleeps on the futex. One 'key: value' a line, or JSON with --json. Reads only; never changes "
        + "the topic."})
public final class TopicStat implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The topic's name: /name.")
    String name;

    @Option(names = "--json", description = "Print one JSON object instead of 'key: value' lines.")
    boolean json;

    /** What stat shows about one recorded process: its pid (as it recorded it) and the verdict on it. */
    private record Who(int pid, long pidNamespace, PartyState state) {
        String words() {
            return state.life() == PartyState.Life.NONE ? "none"
                    : Liveness.describe(pid, pidNamespace) + " (" + state.word() + ": " + state.reason() + ")";
        }
    }

    @Override
    public Integer call() throws Exception {
        try (SharedTopic shared = SharedTopic.attach(name)) {
            Topic topic = shared.topic();
            MemorySegment header = shared.mapping().segment();
            // the positions first: the sequence and the slots read after them are at least as new
            long tail = topic.tailPosition();
            long oldest = topic.oldestPosition();
            long next = topic.nextSequence();
            Who creator = new Who(header.get(ValueLayout.JAVA_INT, TopicDescriptor.CREATOR_PID_OFFSET),
                    header.get(ValueLayout.JAVA_LONG, TopicDescriptor.CREATOR_PID_NAMESPACE_OFFSET),
                    Liveness.check(header.get(ValueLayout.JAVA_LONG, TopicDescriptor.CREATOR_PARTY_OFFSET)));
            Who publisher = new Who(topic.publisherPid(),
                    header.get(ValueLayout.JAVA_LONG, TopicDescriptor.PUBLISHER_PID_NAMESPACE_OFFSET),
                    topic.publisherState());
            boolean publisherWaiting = header.get(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_WAITING_OFFSET) != 0;
            List<SubscriberInfo> subscribers = topic.subscribers();
            StringBuilder out = new StringBuilder();
            if (json) {
                json(out, shared.name(), topic, tail, oldest, next, creator, publisher, publisherWaiting, subscribers);
            } else {
                line(out, "name", shared.name());
                line(out, "policy", policy(topic));
                line(out, "capacity", topic.capacity());
                line(out, "max-message", topic.maxMessageLength());
                line(out, "tail", tail);
                line(out, "oldest", oldest);
                line(out, "next-sequence", next);
                line(out, "creator", creator.words());
                line(out, "publisher", publisher.words());
                line(out, "publisher-waiting", publisherWaiting ? "yes (asleep on the futex: the ring is full)" : "no");
                line(out, "subscribers", subscribers.size() + " of " + TopicDescriptor.SLOT_COUNT + " slots held");
                for (SubscriberInfo s : subscribers) {
                    Who who = new Who(s.pid(), s.pidNamespace(), s.state());
                    line(out, "subscriber." + s.slot(), who.words()
                            + ", cursor " + s.cursor() + (s.cursor() < 0 ? " (joining)" : "")
                            + ", lag " + s.lagBytes() + " bytes, received " + s.received() + ", lost " + s.lost()
                            + ", sleeping " + (s.sleeping() ? "yes" : "no"));
                }
            }
            System.out.print(out);
            System.out.flush();
        }
        return 0;
    }

    private static String policy(Topic topic) {
        return topic.policy().name().toLowerCase(Locale.ROOT);
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(": ").append(value).append('\n');
    }

    private static void json(StringBuilder out, String name, Topic topic, long tail, long oldest, long next,
                             Who creator, Who publisher, boolean publisherWaiting, List<SubscriberInfo> subscribers) {
        out.append("{\"name\": ").append(Json.quote(name))
                .append(",\n \"policy\": ").append(Json.quote(policy(topic)))
                .append(",\n \"capacity\": ").append(topic.capacity())
                .append(",\n \"maxMessage\": ").append(topic.maxMessageLength())
                .append(",\n \"tail\": ").append(tail)
                .append(",\n \"oldest\": ").append(oldest)
                .append(",\n \"nextSequence\": ").append(next)
                .append(",\n \"creator\": ").append(party(creator, ""))
                .append(",\n \"publisher\": ").append(party(publisher, ", \"waiting\": " + publisherWaiting))
                .append(",\n \"subscribers\": [");
        String separator = "\n  ";
        for (SubscriberInfo s : subscribers) {
            out.append(separator).append("{\"slot\": ").append(s.slot())
                    .append(", \"pid\": ").append(s.pid())
                    .append(", \"state\": ").append(Json.quote(s.state().word()))
                    .append(", \"reason\": ").append(Json.quote(s.state().reason()))
                    .append(", \"cursor\": ").append(s.cursor())
                    .append(", \"lag\": ").append(s.lagBytes())
                    .append(", \"received\": ").append(s.received())
                    .append(", \"lost\": ").append(s.lost())
                    .append(", \"sleeping\": ").append(s.sleeping()).append('}');
            separator = ",\n  ";
        }
        out.append(subscribers.isEmpty() ? "]}\n" : "\n ]}\n");
    }

    /** A recorded process as a JSON object, {@code null} if none is recorded. */
    private static String party(Who who, String more) {
        if (who.state().life() == PartyState.Life.NONE) {
            return "null";
        }
        return "{\"pid\": " + who.pid() + ", \"state\": " + Json.quote(who.state().word()) + ", \"reason\": "
                + Json.quote(who.state().reason()) + more + "}";
    }
}
