package jipc.cli.topic;

import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.topic.OverflowPolicy;
import jipc.topic.SharedTopic;
import jipc.topic.TopicDescriptor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc topic create NAME [--capacity 1M] [--max-message SIZE] [--overwrite] [--mode 0600]}: a new, empty topic
 * in POSIX shared memory.
 */
@Command(name = "create", description = {"Create an empty topic in POSIX shared memory (shm_open O_EXCL, mode 0600 "
        + "unless --mode) and print its NAME.",
        "The ring holds CAPACITY bytes of messages (a power of two, at least 1K) behind a 12288-byte header; each "
                + "message takes its length plus 16 header bytes, rounded up to 16.",
        "BLOCK (the default): the publisher waits for the slowest live subscriber, and nothing is lost. --overwrite: "
                + "the publisher never waits; a subscriber a ring behind is lapped and counts what it lost."})
public final class TopicCreate implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The topic's name: /name.")
    String name;

    @Option(names = {"-c", "--capacity"}, paramLabel = "SIZE", defaultValue = "1M", converter = Converters.LongByteSize.class,
            description = "Ring size in bytes, a power of two >= 1K (default: ${DEFAULT-VALUE}).")
    long capacity;

    @Option(names = {"-l", "--max-message"}, paramLabel = "SIZE", converter = Converters.ByteSize.class,
            description = "Largest message in bytes (default and maximum: an eighth of the capacity, minus 16).")
    Integer maxMessage;

    @Option(names = {"-o", "--overwrite"}, description = "The OVERWRITE policy: the publisher never waits; slow "
            + "subscribers lose messages (and say how many) instead.")
    boolean overwrite;

    @Option(names = {"--mode"}, paramLabel = "MODE", defaultValue = "0600", converter = Converters.OctalMode.class,
            description = "Permission bits in octal (default: ${DEFAULT-VALUE}); every end needs read and write, "
                    + "e.g. 0660 for a group.")
    int mode;

    @Override
    public Integer call() throws Exception {
        int max = maxMessage != null ? maxMessage : TopicDescriptor.maxMessageLengthLimit(capacity);
        OverflowPolicy policy = overwrite ? OverflowPolicy.OVERWRITE : OverflowPolicy.BLOCK;
        try (SharedTopic topic = SharedTopic.create(name, capacity, max, policy, mode)) {
            System.out.println(topic.name());
        }
        return 0;
    }
}
