package jipc.bench.channel;

import java.util.ArrayList;
import java.util.List;

import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;

import org.HdrHistogram.Histogram;

/**
 * Turning the channel runs into {@link Result} rows, and the amounts of work a {@link Plan} asks of them, shared by
 * {@link ChannelBenchmark} and {@link AgronaBenchmark} so that their rows pair up.
 */
public final class Rows {
    /** The percentiles of {@link Result#curve()}. */
    public static final double[] CURVE = {0, 50, 90, 99, 99.9, 99.99, 100};
    /** Messages of this size and larger get a quarter of the plan's round trips (each costs tens of µs). */
    static final int LARGE = 65536;
    /** At least this many measured throughput messages, whatever the byte budget. */
    static final long MIN_MESSAGES = 4096;
    static final long MIN_LARGE_MESSAGES_QUICK = 131_072;
    static final long MAX_LARGE_BYTES_QUICK = 8L << 30;
    static final long MIN_LARGE_MESSAGES_FULL = 524_288;
    static final long MAX_LARGE_BYTES_FULL = 32L << 30;
    /** Warm-up messages of a throughput run: at least this many (unless they exceed {@link #WARMUP_BYTES}). */
    static final long MIN_WARMUP_MESSAGES = 200_000;
    /**
     * 16 GiB: 64 KiB messages get the full {@value #MIN_WARMUP_MESSAGES} warm-up messages. With 2 GiB (32 768 of them,
     * 30–60 ms) the Java peers were still being compiled when measuring began: jipc / C twin 0.52–0.80 at 64 KiB,
     * where a run of a million messages shows 0.93.
     */
    static final long WARMUP_BYTES = 16L << 30;

    private Rows() {
    }

    /**
     * The plan's round trips, divided by 4 for messages of {@link #LARGE} bytes and more, and by 4 for a pair that
     * sleeps in {@code FUTEX_WAIT} every round trip ({@code sleeping}: 15 to 1000 µs each on a busy 2-vCPU machine,
     * where a spinning one takes under 1 µs).
     */
    static int rounds(Plan plan, int size, boolean sleeping) {
        return (int) Math.max(1, plan.rounds() / divisor(size, sleeping));
    }

    static long warmupRounds(Plan plan, int size, boolean sleeping) {
        return plan.warmupRounds() / divisor(size, sleeping);
    }

    private static int divisor(int size, boolean sleeping) {
        return (size >= LARGE ? 4 : 1) * (sleeping ? 4 : 1);
    }

    /** A note on the rounds when they are fewer than the plan's. */
    static String roundsNote(Plan plan, int size, boolean sleeping) {
        if (divisor(size, sleeping) == 1) {
            return "";
        }
        return "; " + rounds(plan, size, sleeping) + " round trips after " + warmupRounds(plan, size, sleeping)
                + " warm-up (1/" + divisor(size, sleeping) + " of the plan's" + (sleeping ? ", as every round trip"
                + " sleeps" : "") + (size >= LARGE ? (sleeping ? " and" : ",") + " as the message is large" : "")
                + ")";
    }

    /**
     * Measured throughput messages: the plan's byte budget, at least {@value #MIN_MESSAGES}, and for messages of
     * {@value #LARGE} bytes and more at least {@value #MIN_LARGE_MESSAGES_QUICK} (quick) or
     * {@value #MIN_LARGE_MESSAGES_FULL} (full) within {@value #MAX_LARGE_BYTES_QUICK} or
     * {@value #MAX_LARGE_BYTES_FULL} bytes. A channel moves 64 KiB messages at
     * up to 80 GB/s: the plan's byte budget alone (1 GiB) lasted 14–50 ms, too short for the JIT-compiled Java peers
     * to show their steady state (their CPU per message came out 2.3 times what 16 GiB showed).
     */
    static long messages(Plan plan, int size) {
        long floor = size < LARGE ? 0
                : plan.quick() ? Math.min(MIN_LARGE_MESSAGES_QUICK, MAX_LARGE_BYTES_QUICK / size)
                : Math.min(MIN_LARGE_MESSAGES_FULL, MAX_LARGE_BYTES_FULL / size);
        return Math.max(MIN_MESSAGES, Math.max(plan.throughputBytes() / size, floor));
    }

    /**
     * Warm-up messages before the measured ones: a quarter of them, and at least {@value #MIN_WARMUP_MESSAGES},
     * {@value #WARMUP_BYTES} bytes' worth or 10 times the plan's warm-up round trips, whichever is fewest: the JIT
     * compiles the Java peers' send and receive paths only after some ten thousand calls, and the compiler threads'
     * CPU would otherwise land in the measured messages' CPU (it is the whole process's).
     */
    static long warmupMessages(Plan plan, int size) {
        return Math.max(messages(plan, size) / 4, Math.min(Math.min(MIN_WARMUP_MESSAGES, WARMUP_BYTES / size),
                10 * plan.warmupRounds()));
    }

    public static Result latency(String mechanism, String implementation, int size, Histogram h, String pinning,
            String note) {
        List<Result.Point> curve = new ArrayList<>();
        for (double percentile : CURVE) {
            curve.add(new Result.Point(percentile, percentile == 0 ? h.getMinValue()
                    : percentile == 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile)));
        }
        return new Result(mechanism, implementation, Result.Kind.LATENCY, size, h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean(), curve, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, pinning, note);
    }

    static Result throughput(String mechanism, String implementation, ChannelPairs.Throughput t,
            String pinning, String note) {
        return new Result(mechanism, implementation, Result.Kind.THROUGHPUT, t.size(), t.messages(), Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, List.of(), t.messagesPerSecond(),
                t.bytesPerSecond(), t.producerCpuPerMessage(), t.consumerCpuPerMessage(), Double.NaN,
                pinning, note);
    }

    public static Result idle(String mechanism, String implementation, double percent, String pinning, String note) {
        return new Result(mechanism, implementation, Result.Kind.IDLE_CPU, 0, 0, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, List.of(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                percent, pinning, note);
    }

    /** The plan's pinning as a {@link jipc.bench.Pin}, or {@code null}. */
    static jipc.bench.Pin pin(Plan plan) {
        return plan.pin() == null ? null : new jipc.bench.Pin(plan.pin()[0], plan.pin()[1]);
    }

    /** How {@code pairs} place the processes, as {@link Result#pinning()} records it. */
    static String pinning(ChannelPairs pairs) {
        return pairs.pin() == null ? "none" : "cpu " + pairs.pin().cpuA() + "," + pairs.pin().cpuB();
    }

    /** The shared pairs of {@code plan}: compiled on first use, pinned as the plan asks if taskset is there. */
    static ChannelPairs pairs(Plan plan, java.io.PrintStream log) throws java.io.IOException, InterruptedException {
        return ChannelPairs.shared(pin(plan), plan.jvmOptions(), log);
    }
}
