package jipc.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of the {@code channel-pingpong} and {@code channel-throughput} harnesses ({@link ChannelBench}).
 *
 * @param sizes      message sizes in bytes (payload, each at least 8: the sequence number)
 * @param rounds     ping-pong: measured round trips per pair
 * @param warmup     ping-pong: round trips before measuring; throughput: messages sent before measuring
 *                   ({@code -1}: {@link #warmupMessages(int) the default})
 * @param bytes      throughput: payload bytes per measured run (the count is {@code bytes / size}), or {@code -1}
 *                   for the default: {@value #DEFAULT_BYTES} bytes and at least {@value #MIN_MESSAGES} messages
 * @param pin        the CPUs of side a and side b, or {@code null}
 * @param jvmOptions extra options for both Java peers
 */
record ChannelOptions(List<Integer> sizes, int rounds, long warmup, long bytes, Pin pin, List<String> jvmOptions) {
    /** The largest message: the ring of {@link ChannelBench#CAPACITY} bytes takes an eighth of it minus a header. */
    static final int MAX_SIZE = (int) (ChannelBench.CAPACITY / 8 - 8);

    static final String USAGE = """
            usage: channel-pingpong   [--sizes S,...] [--rounds M] [--warmup N] [--pin A,B] [--jvm-option OPT]...
                   channel-throughput [--sizes S,...] [--bytes B] [--warmup N] [--pin A,B] [--jvm-option OPT]...
              --sizes S,...     message sizes in bytes, 8..%d (ping-pong default 8,64; throughput 64,65536)
              --rounds M        ping-pong: measured round trips per pair (default 100000)
              --warmup N        ping-pong: round trips before measuring (default 200000); throughput: messages
                                before measuring (default: a quarter of the measured count, at least 200000)
              --bytes B         throughput: payload bytes measured per pair and size (default 2147483648, and at
                                least 250000 messages: 16 GiB of 64 KiB messages)
              --pin A,B         run side a (ping-pong's timer; throughput's producer) on CPU A and side b on CPU B
                                with taskset (A = B: same core); default: not pinned
              --jvm-option OPT  extra JVM option for both Java peers (repeatable)""".formatted(MAX_SIZE);

    static final int DEFAULT_ROUNDS = 100_000;
    static final long DEFAULT_WARMUP = 200_000;
    static final long DEFAULT_BYTES = 1L << 31;
    static final long MIN_WARMUP_MESSAGES = 200_000;
    /** With the default budget, large messages still make a run of at least a quarter million messages. */
    static final long MIN_MESSAGES = 250_000;

    /**
     * Parses the command line of one mode.
     *
     * @param throughput whether the mode is {@code channel-throughput} (its default sizes and warm-up)
     * @throws IllegalArgumentException with a message for the user on any bad option
     */
    static ChannelOptions parse(boolean throughput, String... args) {
        List<Integer> sizes = throughput ? List.of(64, 65536) : List.of(8, 64);
        int rounds = DEFAULT_ROUNDS;
        long warmup = throughput ? -1 : DEFAULT_WARMUP;
        long bytes = -1;
        Pin pin = null;
        List<String> jvmOptions = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--sizes" -> {
                    List<Integer> parsed = new ArrayList<>();
                    for (String size : value.split(",", -1)) {
                        parsed.add((int) Args.number(option, size, 8, MAX_SIZE));
                    }
                    sizes = List.copyOf(parsed);
                }
                case "--rounds" -> rounds = (int) Args.number(option, value, 1, Integer.MAX_VALUE / Long.BYTES);
                case "--warmup" -> warmup = Args.number(option, value, 0, Long.MAX_VALUE / 4);
                case "--bytes" -> bytes = Args.number(option, value, 8, Long.MAX_VALUE / 4);
                case "--jvm-option" -> jvmOptions.add(value);
                case "--pin" -> pin = Pin.parse(option, value);
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        return new ChannelOptions(sizes, rounds, warmup, bytes, pin, List.copyOf(jvmOptions));
    }

    /** Throughput: measured messages of {@code size} bytes (at least 1; see {@link #bytes()}). */
    long count(int size) {
        return bytes < 0 ? Math.max(DEFAULT_BYTES / size, MIN_MESSAGES) : Math.max(1, bytes / size);
    }

    /**
     * Throughput: warm-up messages before the {@link #count(int)} measured ones; by default a quarter of the count
     * but at least {@value #MIN_WARMUP_MESSAGES} (the JIT compiles the Java loops during the first tens of thousands).
     */
    long warmupMessages(int size) {
        return warmup >= 0 ? warmup : Math.max(count(size) / 4, MIN_WARMUP_MESSAGES);
    }
}
