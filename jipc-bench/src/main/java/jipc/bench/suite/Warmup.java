package jipc.bench.suite;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Warm-up until a side's rate is stable: runs blocks of a throughput side until at least {@code minSeconds} have gone
 * by (wall time) and the last {@value #WINDOW} blocks' rates are within {@code tolerance} of their median, or until
 * {@code maxSeconds} (then the warm-up says it ended unstable). Each block after the first is sized from the last
 * one's rate to last {@code blockSeconds}, so the block size a side is then measured with comes from a warm pace, not
 * from the JVM's first, interpreted messages (a Java topic publisher's first 20 000 messages ran at a sixth of its
 * warm rate; blocks sized from them lasted 6 ms instead of 50 and measured the block's start, not the rate).
 *
 * <p>Why a time floor and not only stability: C2 compiles a hot loop after some 10 000 iterations and then more
 * methods over the next seconds; three equal blocks of interpreted code are stable too.
 */
public final class Warmup {
    /** How many consecutive blocks must agree. */
    public static final int WINDOW = 3;

    private Warmup() {
    }

    /** One block of {@code count} messages (or round trips); returns its rate per second. */
    @FunctionalInterface
    public interface Block {
        double run(long count) throws IOException, InterruptedException;
    }

    /**
     * How a warm-up ended.
     *
     * @param blocks blocks run
     * @param seconds their wall time (a rate may count only part of a block: what each subscriber received)
     * @param stable whether the last {@value #WINDOW} rates agreed within the tolerance
     * @param rate the median of the last {@value #WINDOW} rates (or of all, if fewer)
     * @param count the block size for {@code blockSeconds} at that rate, clamped to {@code [minCount, maxCount]}
     */
    public record Result(int blocks, double seconds, boolean stable, double rate, long count) {
        /** For a row's note: {@code stable after 12 blocks (1.3 s)} or {@code not stable after ...}. */
        public String describe() {
            return String.format(Locale.ROOT, "%s after %d warm-up blocks (%.1f s)", stable ? "stable" : "NOT stable",
                    blocks, seconds);
        }
    }

    /**
     * Warms {@code block} up.
     *
     * @param block the side
     * @param firstCount the first block's size, and the smallest
     * @param maxCount the largest block
     * @param blockSeconds how long a block should last
     * @param minSeconds the least warm-up time
     * @param maxSeconds the most warm-up time
     * @param tolerance how far from their median the last blocks' rates may be, e.g. 0.1
     * @return how it ended and the block size for {@code blockSeconds}
     */
    public static Result run(Block block, long firstCount, long maxCount, double blockSeconds, double minSeconds,
            double maxSeconds, double tolerance) throws IOException, InterruptedException {
        return run(block, firstCount, maxCount, blockSeconds, minSeconds, maxSeconds, tolerance, WALL);
    }

    /** How long a block took: its wall time, or (for tests with scripted rates) {@code count / rate}. */
    @FunctionalInterface
    interface Clock {
        double seconds(long startNanos, long count, double rate);
    }

    static final Clock WALL = (startNanos, count, rate) -> (System.nanoTime() - startNanos) / 1e9;
    static final Clock FROM_RATE = (startNanos, count, rate) -> count / rate;

    static Result run(Block block, long firstCount, long maxCount, double blockSeconds, double minSeconds,
            double maxSeconds, double tolerance, Clock clock) throws IOException, InterruptedException {
        if (firstCount < 1 || maxCount < firstCount || !(blockSeconds > 0) || minSeconds > maxSeconds) {
            throw new IllegalArgumentException("firstCount=" + firstCount + ", maxCount=" + maxCount
                    + ", blockSeconds=" + blockSeconds + ", minSeconds=" + minSeconds + ", maxSeconds=" + maxSeconds);
        }
        double[] last = new double[WINDOW];
        int blocks = 0;
        double seconds = 0;
        long count = firstCount;
        while (true) {
            long t0 = System.nanoTime();
            double rate = block.run(count);
            if (!(rate > 0)) {
                throw new IOException("a warm-up block of " + count + " reported the rate " + rate);
            }
            last[blocks % WINDOW] = rate;
            blocks++;
            seconds += clock.seconds(t0, count, rate);
            boolean stable = blocks >= WINDOW && stable(last, tolerance);
            if (stable && seconds >= minSeconds || seconds >= maxSeconds) {
                double median = median(Arrays.copyOf(last, Math.min(blocks, WINDOW)));
                return new Result(blocks, seconds, stable, median, size(median, blockSeconds, firstCount, maxCount));
            }
            count = size(rate, blockSeconds, firstCount, maxCount);
        }
    }

    static long size(double rate, double blockSeconds, long minCount, long maxCount) {
        return Math.max(minCount, Math.min(maxCount, Math.round(rate * blockSeconds)));
    }

    static boolean stable(double[] rates, double tolerance) {
        double median = median(rates);
        for (double r : rates) {
            if (Math.abs(r - median) > tolerance * median) {
                return false;
            }
        }
        return true;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
