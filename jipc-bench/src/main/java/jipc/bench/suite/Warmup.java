package jipc.bench.suite;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The one warm-up of {@code jipc bench}: runs blocks of a side until its rate is stable, i.e. the last
 * {@link Rule#window} blocks' rates are within {@link Rule#tolerance} of their median, after at least
 * {@link Rule#minBlocks} blocks and {@link Rule#minSeconds} of the side's own block time (wall time), or until
 * {@link Rule#maxBlocks} blocks or {@link Rule#maxSeconds} (then the warm-up says it ended unstable). Several sides
 * are warmed round robin ({@link #roundRobin}): one block of each side not yet warm, then again, so a burst of load
 * hits every side alike and no side is measured hours of CPU after another's warm-up.
 *
 * <p>A side either keeps one block size or, when its {@link Side#maxCount} is above its {@link Side#firstCount},
 * sizes each block after the first from the last one's rate to last {@link Side#blockSeconds}, so the block size it
 * is then measured with ({@link Result#count}) comes from a warm pace, not from the JVM's first, interpreted
 * messages (a Java topic publisher's first 20 000 messages ran at a sixth of its warm rate; blocks sized from them
 * lasted 6 ms instead of 50 and measured the block's start, not the rate).
 *
 * <p>Why a floor (blocks or seconds) and not only stability: C2 compiles a hot loop after some 10 000 iterations and
 * then more methods over the next seconds; three equal blocks of interpreted code are stable too. A C side needs no
 * compiler: {@link Rule#ONCE} runs one block (page faults, caches) and calls it warm.
 *
 * <p>Used by every paired suite: the channel, pipe and FIFO pairs ({@code ChannelPaired}, {@code StreamPaired}), the
 * topic crews ({@code TopicBenchmark}), rpc and Python.
 */
public final class Warmup {
    /** How many consecutive blocks must agree in {@link #run}'s rule (the topic's). */
    public static final int WINDOW = 3;

    private Warmup() {
    }

    /** One block of {@code count} messages (or round trips); returns its rate per second (larger is faster). */
    @FunctionalInterface
    public interface Block {
        double run(long count) throws IOException, InterruptedException;
    }

    /**
     * When a side is warm.
     *
     * @param window how many consecutive blocks must agree (at least 1)
     * @param tolerance how far from their median those blocks' rates may be, e.g. 0.1
     * @param minBlocks the fewest blocks
     * @param maxBlocks the most blocks (then it ends unstable)
     * @param minSeconds the least time in the side's blocks
     * @param maxSeconds the most time in the side's blocks (then it ends unstable)
     */
    public record Rule(int window, double tolerance, int minBlocks, int maxBlocks, double minSeconds,
            double maxSeconds) {
        /** One block and done: a C side (no compiler to wait for). */
        public static final Rule ONCE = new Rule(1, Double.POSITIVE_INFINITY, 1, 1, 0, Double.POSITIVE_INFINITY);

        public Rule {
            if (window < 1 || !(tolerance >= 0) || minBlocks < 1 || maxBlocks < minBlocks || minSeconds < 0
                    || !(maxSeconds >= minSeconds)) {
                throw new IllegalArgumentException("window=" + window + ", tolerance=" + tolerance + ", minBlocks="
                        + minBlocks + ", maxBlocks=" + maxBlocks + ", minSeconds=" + minSeconds + ", maxSeconds="
                        + maxSeconds);
            }
        }

        /**
         * Blocks of a Java side: {@code window} blocks within {@code tolerance} of their median, from {@code minBlocks}
         * to {@code maxBlocks} blocks, no time floor or limit.
         */
        public static Rule blocks(int window, double tolerance, int minBlocks, int maxBlocks) {
            return new Rule(window, tolerance, Math.max(minBlocks, 1), Math.max(maxBlocks, Math.max(minBlocks, 1)), 0,
                    Double.POSITIVE_INFINITY);
        }

        /** For a note: {@code "the last 3 blocks within 10 % of their median, 3 to 10 blocks, 0.4 to 2 s"}. */
        public String describe() {
            if (maxBlocks == 1) {
                return "1 block";
            }
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "the last %d blocks within %s %% of their"
                    + " median", window, number(tolerance * 100)));
            if (minBlocks > 1 || maxBlocks < Integer.MAX_VALUE) {
                s.append(", ").append(minBlocks).append(maxBlocks == Integer.MAX_VALUE ? "+" : " to " + maxBlocks)
                        .append(" blocks");
            }
            if (minSeconds > 0 || maxSeconds < Double.POSITIVE_INFINITY) {
                s.append(", ").append(number(minSeconds)).append(maxSeconds == Double.POSITIVE_INFINITY ? "+"
                        : " to " + number(maxSeconds)).append(" s");
            }
            return s.toString();
        }

        private static String number(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.1f", d);
        }
    }

    /**
     * A side to warm.
     *
     * @param block runs one block
     * @param rule when it is warm
     * @param firstCount the first block's size, and the smallest
     * @param maxCount the largest block; equal to {@code firstCount} for blocks of one size
     * @param blockSeconds how long a block should last, when sized from the rate
     */
    public record Side(Block block, Rule rule, long firstCount, long maxCount, double blockSeconds) {
        public Side {
            if (firstCount < 1 || maxCount < firstCount || (maxCount > firstCount && !(blockSeconds > 0))) {
                throw new IllegalArgumentException("firstCount=" + firstCount + ", maxCount=" + maxCount
                        + ", blockSeconds=" + blockSeconds);
            }
        }

        /** A side warmed with blocks of {@code count}. */
        public static Side fixed(Block block, Rule rule, long count) {
            return new Side(block, rule, count, count, 0);
        }
    }

    /**
     * How a warm-up ended.
     *
     * @param blocks blocks run
     * @param seconds their wall time (a rate may count only part of a block: what each subscriber received)
     * @param stable whether the last blocks' rates agreed within the tolerance (after the floors)
     * @param rate the median of the last {@code window} rates (or of all, if fewer)
     * @param count the block size for {@code blockSeconds} at that rate, clamped to {@code [firstCount, maxCount]}
     * @param spread the largest distance of the last {@code window} rates from their median, relative to it
     */
    public record Result(int blocks, double seconds, boolean stable, double rate, long count, double spread) {
        /**
         * For a row's note: {@code stable after 12 warm-up blocks (1.3 s, the last ones within 2.1 %)}, {@code NOT
         * stable after ...}, or {@code 1 warm-up block (0.1 s)} (a side whose rule asks for one block, a C side).
         */
        public String describe() {
            if (blocks == 1 && stable) {
                return String.format(Locale.ROOT, "1 warm-up block (%.1f s)", seconds);
            }
            return String.format(Locale.ROOT, "%s after %d warm-up blocks (%.1f s, the last ones within %.1f %%)",
                    stable ? "stable" : "NOT stable", blocks, seconds, spread * 100);
        }
    }

    /**
     * Warms {@code block} up with the topic's rule: the last {@value #WINDOW} blocks within {@code tolerance}, from
     * {@code minSeconds} to {@code maxSeconds}; blocks sized from the rate (see {@link Side}).
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

    /**
     * Warms {@code sides} round robin: one block of each side not yet warm per round, until each is warm by its rule.
     *
     * @return how each side's warm-up ended, in the order of {@code sides}
     */
    public static List<Result> roundRobin(List<Side> sides) throws IOException, InterruptedException {
        return roundRobin(sides, WALL);
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
        Rule rule = new Rule(WINDOW, tolerance, WINDOW, Integer.MAX_VALUE, minSeconds, maxSeconds);
        return roundRobin(List.of(new Side(block, rule, firstCount, maxCount, blockSeconds)), clock).get(0);
    }

    /** One side's progress through its warm-up. */
    private static final class State {
        final Side side;
        final double[] last;
        int blocks;
        double seconds;
        long count;
        Result result;

        State(Side side) {
            this.side = side;
            this.last = new double[side.rule().window()];
            this.count = side.firstCount();
        }

        /** Runs one block; sets {@link #result} once the side is warm (or out of time or blocks). */
        void step(Clock clock) throws IOException, InterruptedException {
            Rule rule = side.rule();
            long t0 = System.nanoTime();
            double rate = side.block().run(count);
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IOException("a warm-up block of " + count + " reported the rate " + rate);
            }
            seconds += clock.seconds(t0, count, rate);
            last[blocks % last.length] = rate;
            blocks++;
            double[] window = Arrays.copyOf(last, Math.min(blocks, last.length));
            double median = median(window);
            double spread = spread(window, median);
            boolean stable = blocks >= last.length && spread <= rule.tolerance();
            boolean floors = blocks >= rule.minBlocks() && seconds >= rule.minSeconds();
            if (stable && floors || blocks >= rule.maxBlocks() || seconds >= rule.maxSeconds()) {
                result = new Result(blocks, seconds, stable && floors, median, size(median, side), spread);
            } else {
                count = size(rate, side);
            }
        }
    }

    static List<Result> roundRobin(List<Side> sides, Clock clock) throws IOException, InterruptedException {
        List<State> states = new ArrayList<>();
        for (Side side : sides) {
            states.add(new State(side));
        }
        boolean any = true;
        while (any) {
            any = false;
            for (State state : states) {
                if (state.result == null) {
                    state.step(clock);
                    any |= state.result == null;
                }
            }
        }
        return states.stream().map(s -> s.result).toList();
    }

    private static long size(double rate, Side side) {
        return side.maxCount() == side.firstCount() ? side.firstCount()
                : size(rate, side.blockSeconds(), side.firstCount(), side.maxCount());
    }

    static long size(double rate, double blockSeconds, long minCount, long maxCount) {
        return Math.max(minCount, Math.min(maxCount, Math.round(rate * blockSeconds)));
    }

    static boolean stable(double[] rates, double tolerance) {
        return spread(rates, median(rates)) <= tolerance;
    }

    /** The largest distance of {@code rates} from {@code median}, relative to it. */
    private static double spread(double[] rates, double median) {
        double spread = 0;
        for (double r : rates) {
            spread = Math.max(spread, Math.abs(r - median) / median);
        }
        return spread;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
