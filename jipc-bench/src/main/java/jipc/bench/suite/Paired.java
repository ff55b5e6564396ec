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

    /**
     * The paired ratio of trimmed means: {@code a} and {@code b} hold each side's samples in the order measured,
     * {@code blocks} blocks of equal size each (block {@code k} of A measured beside block {@code k} of B); each
     * block's figure is the mean of its samples without the lowest and highest {@code trim} fraction, and the ratio is
     * estimated from the per-block ratios like any other ({@link #estimate}).
     *
     * <p>For distributions with several modes, where the median sits on whichever mode holds the middle sample
     * (docs/benchmarks.md, "The 8 B spin round trip"), this says how the sides compare on average while the tails
     * cannot sway it.
     *
     * @param trim the fraction cut at each end, {@code 0 <= trim < 0.5}
     * @throws IllegalArgumentException if the samples do not split into {@code blocks} equal blocks
     */
    public static Run trimmedMeanRatio(long[] a, long[] b, int blocks, double trim, double seconds) {
        double[] ma = blockTrimmedMeans(a, blocks, trim);
        double[] mb = blockTrimmedMeans(b, blocks, trim);
        double[] ratios = new double[blocks];
        for (int i = 0; i < blocks; i++) {
            ratios[i] = ma[i] / mb[i];
        }
        return new Run(ma, mb, ratios, estimate(ratios), seconds);
    }

    static double[] blockTrimmedMeans(long[] samples, int blocks, double trim) {
        if (blocks < 1 || samples.length % blocks != 0 || samples.length == 0) {
            throw new IllegalArgumentException(samples.length + " samples do not make " + blocks + " equal blocks");
        }
        if (!(trim >= 0 && trim < 0.5)) {
            throw new IllegalArgumentException("trim=" + trim + " not in [0, 0.5)");
        }
        int size = samples.length / blocks;
        int cut = (int) Math.floor(size * trim);
        double[] means = new double[blocks];
        for (int k = 0; k < blocks; k++) {
            long[] block = Arrays.copyOfRange(samples, k * size, (k + 1) * size);
            Arrays.sort(block);
            double sum = 0;
            for (int i = cut; i < size - cut; i++) {
                sum += block[i];
            }
            means[k] = sum / (size - 2 * cut);
        }
        return means;
    }

    /** Bootstrap replicates of {@link #tailRatio}: 2 000 (the 2.5th and 97.5th percentiles are the 50th and 1950th). */
    public static final int TAIL_REPLICATES = 2000;
    /** The seed of {@link #tailRatio}'s resampling, fixed so that one run's samples always give one interval. */
    public static final long TAIL_SEED = 0x6a697063L;

    /**
     * The ratio of a high quantile (p99, p99.9) of side A's samples to the same quantile of side B's, each side's
     * samples pooled across its blocks, with a percentile-bootstrap 95 % interval: each replicate resamples both sides
     * with replacement (independently, each its own size) and takes the ratio of the resamples' quantiles;
     * the interval is the 2.5th to 97.5th percentile of {@code replicates} such ratios. A tail needs many samples,
     * and one block holds only a few of them (0.1 % of 10 000 is 10), so per-block tail ratios would be noise.
     *
     * <p>The quantile is the nearest-rank one: the {@code r}-th smallest of {@code n} samples, {@code r = ceil(q n)}.
     * A replicate costs no resampling: the {@code r}-th smallest of {@code n} draws with replacement from the sorted
     * samples {@code x(1..n)} is {@code x(ceil(n U))}, where {@code U}, the {@code r}-th smallest of {@code n}
     * uniforms, is Beta({@code r}, {@code n + 1 - r}) distributed; {@code U} is drawn as {@code G1 / (G1 + G2)} of two
     * gamma variates. So a replicate costs O(1) after one sort of each side.
     *
     * @param a side A's samples (e.g. round-trip nanoseconds), all blocks together; not modified
     * @param b side B's
     * @param quantile e.g. 0.99
     * @param replicates bootstrap replicates, at least 40
     * @param seed the random seed
     * @return the point ratio (of the pooled samples' quantiles) as {@link Estimate#median()}, the interval, and
     *         {@code blocks} = the smaller side's sample count
     */
    public static Estimate tailRatio(long[] a, long[] b, double quantile, int replicates, long seed) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("samples: a=" + a.length + ", b=" + b.length + " (need both)");
        }
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile=" + quantile + " not in (0, 1)");
        }
        if (replicates < 40) {
            throw new IllegalArgumentException("replicates=" + replicates + " < 40");
        }
        long[] x = a.clone();
        long[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        double[] ratios = new double[replicates];
        for (int i = 0; i < replicates; i++) {
            ratios[i] = (double) resampledQuantile(x, quantile, random) / resampledQuantile(y, quantile, random);
        }
        Arrays.sort(ratios);
        double point = (double) x[rank(x.length, quantile) - 1] / y[rank(y.length, quantile) - 1];
        int lowIndex = (int) Math.floor(0.025 * (replicates - 1));
        int highIndex = (int) Math.ceil(0.975 * (replicates - 1));
        return new Estimate(Math.min(a.length, b.length), point, ratios[lowIndex], ratios[highIndex], 0.95);
    }

    /** The nearest rank of {@code quantile} among {@code n} samples: {@code ceil(q n)}, within 1..n. */
    static int rank(int n, double quantile) {
        return (int) Math.min(n, Math.max(1, Math.ceil(quantile * n - 1e-9)));
    }

    /** The {@code quantile} of one bootstrap resample of the sorted {@code x} (see {@link #tailRatio}). */
    static long resampledQuantile(long[] x, double quantile, java.util.SplittableRandom random) {
        int n = x.length;
        int r = rank(n, quantile);
        double g1 = gamma(r, random);
        double g2 = gamma(n + 1 - r, random);
        double u = g1 / (g1 + g2);
        int index = (int) Math.min(n, Math.max(1, Math.ceil(n * u)));
        return x[index - 1];
    }

    /** A Gamma({@code shape}, 1) variate, {@code shape >= 1}: Marsaglia and Tsang's method. */
    static double gamma(double shape, java.util.SplittableRandom random) {
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = normal(random);
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = random.nextDouble();
            if (u < 1 - 0.0331 * z * z * z * z || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /** A standard normal variate (Marsaglia's polar method, one of the pair). */
    private static double normal(java.util.SplittableRandom random) {
        while (true) {
            double u = 2 * random.nextDouble() - 1;
            double v = 2 * random.nextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) {
                return u * Math.sqrt(-2 * Math.log(s) / s);
            }
        }
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
