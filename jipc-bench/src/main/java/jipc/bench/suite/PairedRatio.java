package jipc.bench.suite;

import java.util.List;

/**
 * A paired ratio of one run ({@link Paired}): row A's figure divided by row B's, block by block, reported as the
 * median of the per-block ratios with its interval. The unit the goals with intervals are checked against, kept in
 * the run's JSON beside the rows.
 *
 * @param numerator the name of row A ({@link Result#name()}), e.g. {@code "jipc topic BLOCK 1->4 hybrid"}
 * @param denominator the name of row B
 * @param kind what both rows measure
 * @param messageSize payload bytes per message
 * @param figure what each block's figure is: {@code "msg/s"} (messages delivered per subscriber per second) or
 *        {@code "p50"} (the block's median round trip)
 * @param blocks how many blocks each side ran (after its warm-up)
 * @param median the median per-block ratio
 * @param low the interval's lower end
 * @param high its upper end
 * @param confidence the interval's coverage (0.95 or a little more; less only below {@value Paired#MIN_BLOCKS_FOR_95}
 *        blocks)
 * @param seconds the wall time of all the blocks
 * @param floor the absolute figure of the floor measured in the same step, so a reader sees the machine's speed state
 *        (e.g. {@code "C memcpy 64 B: 152 M msg/s"}, {@code "C raw futex ping-pong 64 B: p50 24 102 ns"}), or empty
 * @param ratios the per-block ratios, in block order
 * @param note how the sides were run
 */
public record PairedRatio(String numerator, String denominator, Result.Kind kind, int messageSize, String figure,
        int blocks, double median, double low, double high, double confidence, double seconds, String floor,
        List<Double> ratios, String note) {

    public PairedRatio {
        ratios = ratios == null ? List.of() : List.copyOf(ratios);
        floor = floor == null ? "" : floor;
        note = note == null ? "" : note;
    }

    /** The ratio of {@code run}, between rows {@code a} and {@code b}. */
    public static PairedRatio of(Result a, Result b, String figure, Paired.Run run, String floor, String note) {
        Paired.Estimate e = run.estimate();
        return new PairedRatio(a.name(), b.name(), a.kind(), a.messageSize(), figure, e.blocks(), e.median(),
                e.low(), e.high(), e.confidence(), run.seconds(), floor,
                java.util.Arrays.stream(run.ratios()).boxed().toList(), note);
    }

    /** {@code "jipc topic BLOCK 1->4 hybrid / C topic BLOCK 1->4 hybrid"}. */
    public String name() {
        return numerator + " / " + denominator;
    }
}
