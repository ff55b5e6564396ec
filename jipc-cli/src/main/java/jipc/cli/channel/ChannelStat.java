package jipc.cli.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.Callable;

import jipc.channel.ChannelDescriptor;
import jipc.channel.ManyToOneChannel;
import jipc.channel.OneToOneChannel;
import jipc.live.Liveness;
import jipc.live.PartyState;
import jipc.channel.MessageChannel;
import jipc.channel.SharedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc channel stat NAME}: kind, positions, fill level, waiting sides and the liveness of the consumer and of
 * each producer holding a slot, as key: value lines.
 */
@Command(name = "stat", description = "Print the channel's kind, capacity, positions, fill level, waiting sides, "
        + "whether its consumer is alive and (many-producer channels) which producers hold slots and whether they "
        + "are alive, one 'key: value' a line. Reads only; never changes the channel.")
public final class ChannelStat implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The channel's name: /name.")
    String name;

    @Override
    public Integer call() throws Exception {
        try (SharedChannel shared = SharedChannel.attach(name)) {
            MessageChannel channel = shared.messageChannel();
            MemorySegment header = shared.mapping().segment();
            long head = channel.headPosition();
            long tail = channel.tailPosition();
            long used = channel.size();
            int pid = channel.consumerPid();
            StringBuilder out = new StringBuilder();
            line(out, "name", shared.name());
            line(out, "kind", shared.isManyToOne() ? "many-to-one" : "one-to-one");
            line(out, "capacity", channel.capacity());
            line(out, "max-message", channel.maxMessageLength());
            line(out, "head", head);
            line(out, "tail", tail);
            line(out, "used", used + String.format(" (%.1f%%)", 100.0 * used / channel.capacity()));
            PartyState consumer = channel.consumerState();
            line(out, "consumer", consumer.life() == PartyState.Life.NONE ? "none registered"
                    : Liveness.describe(pid, channel.consumerPidNamespace()) + " (" + consumer.word() + ": "
                    + consumer.reason() + ")");
            line(out, "consumer-waiting", header.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) != 0
                    ? "yes (asleep on the futex)" : "no");
            long waiting = header.get(ValueLayout.JAVA_LONG, ChannelDescriptor.PRODUCERS_WAITING_OFFSET);
            line(out, "producers-waiting", Long.bitCount(waiting));
            if (channel instanceof ManyToOneChannel manyToOne) {
                var producers = manyToOne.producers();
                line(out, "producers", producers.size() + " holding slots");
                for (ManyToOneChannel.Producer p : producers) {
                    line(out, "producer." + p.slot(), Liveness.describe(p.pid(), p.pidNamespace()) + " ("
                            + p.state().word() + ": " + p.state().reason() + ")"
                            + (p.claimPosition() < 0 ? "" : ", open claim at " + p.claimPosition()));
                }
            } else if (channel instanceof OneToOneChannel oneToOne) {
                PartyState producer = oneToOne.producerState();
                line(out, "producer", producer.life() == PartyState.Life.NONE ? "none attached"
                        : Liveness.describe(oneToOne.producerPid(), header.get(ValueLayout.JAVA_LONG,
                        ChannelDescriptor.PRODUCER_PID_NAMESPACE_OFFSET)) + " (" + producer.word() + ": "
                        + producer.reason() + ")");
            }
            System.out.print(out);
        }
        return 0;
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(": ").append(value).append('\n');
    }
}
