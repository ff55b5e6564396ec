package jipc.cli.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.Callable;

import jipc.channel.ChannelDescriptor;
import jipc.channel.OneToOneChannel;
import jipc.channel.SharedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jipc channel stat NAME}: positions, fill level, waiting sides and the consumer's liveness, as key: value lines. */
@Command(name = "stat", description = "Print the channel's capacity, positions, fill level, waiting sides and whether "
        + "its consumer is alive, one 'key: value' a line. Reads only; never changes the channel.")
public final class ChannelStat implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The channel's name: /name.")
    String name;

    @Override
    public Integer call() throws Exception {
        try (SharedChannel shared = SharedChannel.attach(name)) {
            OneToOneChannel channel = shared.channel();
            MemorySegment header = shared.mapping().segment();
            long head = channel.headPosition();
            long tail = channel.tailPosition();
            long used = channel.size();
            int pid = channel.consumerPid();
            StringBuilder out = new StringBuilder();
            line(out, "name", shared.name());
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
            System.out.print(out);
        }
        return 0;
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(": ").append(value).append('\n');
    }
}
