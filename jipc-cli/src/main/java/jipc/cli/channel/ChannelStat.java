package jipc.cli.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.Callable;

import jipc.channel.ChannelDescriptor;
import jipc.channel.ManyToOneChannel;
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
            line(out, "consumer", pid == 0 ? "none registered"
                    : "pid " + pid + (channel.isConsumerAlive() ? " (alive)" : " (dead)"));
            line(out, "consumer-waiting", header.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) != 0
                    ? "yes (asleep on the futex)" : "no");
            line(out, "producers-waiting", header.get(ValueLayout.JAVA_INT, ChannelDescriptor.PRODUCERS_WAITING_OFFSET));
            if (channel instanceof ManyToOneChannel manyToOne) {
                var producers = manyToOne.producers();
                line(out, "producers", producers.size() + " holding slots");
                for (ManyToOneChannel.Producer p : producers) {
                    line(out, "producer." + p.slot(), "pid " + p.pid() + (p.alive() ? " (alive)" : " (dead)")
                            + (p.claimPosition() < 0 ? "" : ", open claim at " + p.claimPosition()));
                }
            }
            System.out.print(out);
        }
        return 0;
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(": ").append(value).append('\n');
    }
}
