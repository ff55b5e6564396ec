package jipc.cli.channel;

import java.util.concurrent.Callable;

import jipc.channel.ChannelDescriptor;
import jipc.channel.SharedChannel;
import jipc.cli.Converters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc channel create NAME [--capacity 1M] [--max-message 4K] [--many-producers] [--mode 0600]}: a new, empty channel in
 * POSIX shared memory.
 */
@Command(name = "create", description = {"Create an empty channel in POSIX shared memory (shm_open O_EXCL, mode "
        + "0600 unless --mode) and print its NAME.",
        "The ring holds CAPACITY bytes of messages (a power of two, at least 1K); each message takes its length plus "
                + "8 header bytes, rounded up to 8.",
        "With --many-producers several processes may send at once (up to " + ChannelDescriptor.MAX_PRODUCER_SLOTS
                + " at a time, each holding a producer slot; a dead sender's slot and open claim are recovered)."})
public final class ChannelCreate implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The channel's name: /name.")
    String name;

    @Option(names = {"-c", "--capacity"}, paramLabel = "SIZE", defaultValue = "1M", converter = Converters.LongByteSize.class,
            description = "Ring size in bytes, a power of two >= 1K (default: ${DEFAULT-VALUE}).")
    long capacity;

    @Option(names = {"-l", "--max-message"}, paramLabel = "SIZE", converter = Converters.ByteSize.class,
            description = "Largest message in bytes (default and maximum: an eighth of the capacity, minus 8).")
    Integer maxMessage;

    @Option(names = {"-m", "--many-producers"}, description = "A many-producer channel: several senders at once.")
    boolean manyProducers;

    @Option(names = {"--mode"}, paramLabel = "MODE", defaultValue = "0600", converter = Converters.OctalMode.class,
            description = "Permission bits in octal (default: ${DEFAULT-VALUE}); both ends need read and write, "
                    + "e.g. 0660 for a group.")
    int mode;

    @Override
    public Integer call() throws Exception {
        int max = maxMessage != null ? maxMessage : ChannelDescriptor.defaultMaxMessageLength(capacity);
        try (SharedChannel channel = manyProducers ? SharedChannel.createManyToOne(name, capacity, max, mode)
                : SharedChannel.create(name, capacity, max, mode)) {
            System.out.println(channel.name());
        }
        return 0;
    }
}
