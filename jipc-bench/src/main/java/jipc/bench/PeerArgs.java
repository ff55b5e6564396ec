package jipc.bench;

import java.nio.file.Path;

/**
 * The command line shared by the channel benchmark peers ({@link ChannelPeer}, {@code jipc.bench.channel.AgronaPeer}):
 * {@code ping a|b STRATEGY SIZE WARMUP ROUNDS CAPACITY [OUT]} (side a writes its round-trip samples to OUT) or
 * {@code send|recv STRATEGY SIZE WARMUP COUNT CAPACITY OUT} (each side writes its result line to OUT).
 *
 * @param mode {@code "ping"}, {@code "send"} or {@code "recv"}
 * @param sideA whether this is side a of a ping-pong (it times the round trips)
 * @param strategy the wait strategy's name, checked by the peer
 * @param count measured round trips or messages
 * @param out where the samples or the result line go; {@code null} for side b of a ping-pong
 */
public record PeerArgs(String mode, boolean sideA, String strategy, int size, long warmup, long count, long capacity,
        Path out) {

    /** Whether this is a ping-pong side. */
    public boolean ping() {
        return mode.equals("ping");
    }

    /**
     * Parses {@code args}; a malformed command line prints {@code usage} and exits with 64 (the peers are only
     * started by the harness, which reports the exit).
     */
    public static PeerArgs parse(String[] args, String usage) {
        if (args.length < 7) {
            exitWithUsage(usage);
        }
        String mode = args[0];
        boolean ping = mode.equals("ping");
        if (!ping && !mode.equals("send") && !mode.equals("recv")) {
            exitWithUsage(usage);
        }
        boolean sideA = ping && args[1].equals("a");
        int base = ping ? 2 : 1;
        Path out = args.length > base + 5 ? Path.of(args[base + 5]) : null;
        if (ping && sideA == (out == null) || !ping && out == null) {
            exitWithUsage(usage);
        }
        return new PeerArgs(mode, sideA, args[base], Integer.parseInt(args[base + 1]), Long.parseLong(args[base + 2]),
                Long.parseLong(args[base + 3]), Long.parseLong(args[base + 4]), out);
    }

    private static void exitWithUsage(String usage) {
        System.err.println(usage);
        System.exit(64);
    }
}
