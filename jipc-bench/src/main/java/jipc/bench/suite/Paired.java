package jipc.bench.suite;

import java.io.IOException;
import java.util.Arrays;

/**
 * Paired ratios: two sides of a comparison (A, e.g. jipc, and B, e.g. its C twin) measured alternately in short
 * blocks, A B A B ..., inside one time window, and the ratio A/B reported as the median of the per-block ratios with a
 * distribution-free 95 % interval. On a VM whose speed switches between states every few minutes
 * (docs/benchmarks.md, "The machine's two states") two rows measured a minute apart may have run in different states;
 * two blocks measured milliseconds apart almost always ran in the same one, so each block's ratio is a fair one and
 * their median says how A compares with B, and the interval how sure that is.
 *
 * <p>The sides are kept alive for the whole comparison (processes started once), and the side that is not measuring
 * waits blocked, not spinning, so it takes nothing from the other: {@link Side#block()} measures one block and
 * returns its figure (messages per second, nanoseconds per round trip, ...). A goal is met only when the whole
 * interval is on the right side of its target ({@link jipc.bench.report.Targets}).
 *
 * <p>The interval is the order-statistic interval of the median: for {@code n} sorted ratios
 * {@code x(1) <= ... <= x(n)} it is {@code [x(k), x(n+1-k)]} with the largest {@code k} for which
 * {@code 2 P(Bin(n, 1/2) <= k-1) <= 0.05}: with 20 blocks {@code [x(6), x(15)]}, 95.9 %. It assumes only that the
 * per-block ratios are independent draws from one distribution, not that they are normal.
 */
public final class Paired {
    /** The blocks of a comparison below which {@link #estimate} cannot reach 95 % (with 5 it is 93.75 %). */
    public static final int MIN_BLOCKS_FOR_95 = 6;

    private Paired() {
    }

    /** One side of a comparison: measures one block and returns its figure. */
    @FunctionalInterface
    public interface Side {
        double block() throws IOException, InterruptedException;
    }

    /**
     * The median of some per-block ratios and its interval.
     *
     * @param blocks how many ratios
     * @param median their median (the mean of the middle two for an even count)
     * @param low the interval's lower end, an order statistic
     * @param high its upper end
     * @param confidence the interval's coverage, at least 0.95 from {@value #MIN_BLOCKS_FOR_95} ratios on
     */
    public record Estimate(int blocks, double median, double low, double high, double confidence) {
    }

    /**
     * What {@link #alternate} measured.
     *
     * @param a side A's figure of each block, in order
     * @param b side B's figure of each block
     * @param ratios {@code a[i] / b[i]}
     * @param estimate the median ratio and its interval
     * @param seconds the wall time of all the blocks (the window they shared)
     */
    public record Run(double[] a, double[] b, double[] ratios, Estimate estimate, double seconds) {
    }

    /**
     * What {@link #rotate} measured: {@code figures[side][block]}, and the wall time of all the blocks.
     */
    public record Rotation(double[][] figures, double seconds) {
        /** The paired ratio of side {@code a} to side {@code b}, block by block (choose sides adjacent in the turn). */
        public Run ratio(int a, int b) {
            double[] ratios = new double[figures[a].length];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = figures[a][i] / figures[b][i];
            }
            return new Run(figures[a], figures[b], ratios, estimate(ratios), seconds);
        }
    }

    /** Runs {@code blocks} blocks of each side, A then B, A then B, ..., and pairs each A block with the B after it. */
    public static Run alternate(Side a, Side b, int blocks) throws IOException, InterruptedException {
        return rotate(java.util.List.of(a, b), blocks).ratio(0, 1);
    }

    /**
     * Runs {@code blocks} turns of every side in order (A B C, A B C, ...): for comparisons of several sides against
     * one floor, each ratio between two sides adjacent in the turn.
     */
    public static Rotation rotate(java.util.List<Side> sides, int blocks) throws IOException, InterruptedException {
        if (blocks < 1) {
            throw new IllegalArgumentException("blocks=" + blocks + " < 1");
        }
        double[][] figures = new double[sides.size()][blocks];
        long start = System.nanoTime();
        for (int i = 0; i < blocks; i++) {
            for (int s = 0; s < sides.size(); s++) {
                figures[s][i] = sides.get(s).block();
            }
        }
        return new Rotation(figures, (System.nanoTime() - start) / 1e9);
    }

    /** The median of {@code ratios} with its order-statistic interval of at least 95 % (fewer blocks: min to max). */
    public static Estimate estimate(double[] ratios) {
        int n = ratios.length;
        if (n == 0) {
            throw new IllegalArgumentException("no ratios");
        }
        double[] x = ratios.clone();
        Arrays.sort(x);
        double median = n % 2 == 1 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
        int k = 1;
        while (k + 1 <= (n + 1) / 2 && 2 * binomialAtMost(n, k) <= 0.05) {
            k++;
        }
        double confidence = 1 - 2 * binomialAtMost(n, k - 1);
        return new Estimate(n, median, x[k - 1], x[n - k], confidence);
    }

    /** {@code P(Bin(n, 1/2) <= j)}; 0 for {@code j < 0}. */
    static double binomialAtMost(int n, int j) {
        double sum = 0;
        double term = Math.pow(0.5, n); // C(n, 0) / 2^n
        for (int i = 0; i <= j && i <= n; i++) {
            sum += term;
            term = term * (n - i) / (i + 1);
        }
        return sum;
    }
}
