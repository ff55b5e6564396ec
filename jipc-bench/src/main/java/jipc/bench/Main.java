package jipc.bench;

import java.util.Arrays;

/**
 * Entry point of {@code jipc-bench.jar}: {@code jmh [JMH options]} runs the JMH microbenchmarks
 * ({@link SyncBenchmarks}), {@code handoff [options]} the cross-process hand-off harness ({@link Handoff}), {@code channel-pingpong} and
 * {@code channel-throughput} the channel benchmarks ({@link ChannelBench}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "jmh" -> org.openjdk.jmh.Main.main(rest);
            case "handoff" -> System.exit(Handoff.main(rest, System.out, System.err));
            case "channel-pingpong" -> System.exit(ChannelBench.main(false, rest, System.out, System.err));
            case "channel-throughput" -> System.exit(ChannelBench.main(true, rest, System.out, System.err));
            default -> {
                System.err.println("""
                        usage: java -jar jipc-bench.jar jmh [JMH options, e.g. -f 1 -wi 3 -i 5 -w 1s -r 1s; -h for all]
                               java -jar jipc-bench.jar handoff [--rounds M] [--warmup N] [--pin CPU_A,CPU_B]
                                                                [--c-spins S] [--jvm-option OPTION]...
                               java -jar jipc-bench.jar channel-pingpong [--sizes S,...] [--rounds M] [--warmup N]
                                                                [--pin CPU_A,CPU_B] [--jvm-option OPTION]...
                               java -jar jipc-bench.jar channel-throughput [--sizes S,...] [--bytes B] [--warmup N]
                                                                [--pin CPU_A,CPU_B] [--jvm-option OPTION]...""");
                System.exit(command.equals("-h") || command.equals("--help") ? 0 : 64);
            }
        }
    }
}
