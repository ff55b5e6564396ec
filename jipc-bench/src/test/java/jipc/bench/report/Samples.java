package jipc.bench.report;

import java.util.List;

import jipc.bench.suite.Result;
import jipc.bench.suite.Result.Kind;
import jipc.bench.suite.Result.Point;
import jipc.bench.suite.RunInfo;
import jipc.bench.suite.StepFailure;
import jipc.bench.suite.SuiteRun;

/** Results made up for the tests of the views (the figures are chosen so that every ratio is easy to check). */
final class Samples {
    private static final double NAN = Double.NaN;

    private Samples() {
    }

    /** A latency row whose percentiles are p50 times 1.5, 2, 3 and 10, with a curve. */
    static Result latency(String implementation, String mechanism, int size, double p50) {
        List<Point> curve = List.of(new Point(0, p50 * 0.8), new Point(50, p50), new Point(90, p50 * 1.5),
                new Point(99, p50 * 2), new Point(99.9, p50 * 3), new Point(100, p50 * 10));
        return new Result(mechanism, implementation, Kind.LATENCY, size, 10_000, p50, p50 * 1.5, p50 * 2, p50 * 3,
                p50 * 10, p50 * 1.2, curve, NAN, NAN, NAN, NAN, NAN, "cpu 0,1", "");
    }

    /** A throughput row. */
    static Result throughput(String implementation, String mechanism, int size, double messagesPerSecond,
            double cpuNanos) {
        return new Result(mechanism, implementation, Kind.THROUGHPUT, size, 1_000_000, NAN, NAN, NAN, NAN, NAN, NAN,
                List.of(), messagesPerSecond, messagesPerSecond * size, cpuNanos, cpuNanos * 2, NAN, "cpu 0,1",
                "");
    }

    /** An idle-CPU row. */
    static Result idle(String implementation, String mechanism, double percent) {
        return new Result(mechanism, implementation, Kind.IDLE_CPU, 0, 3, NAN, NAN, NAN, NAN, NAN, NAN, List.of(),
                NAN, NAN, NAN, NAN, percent, "none", "receiver blocked in futex wait");
    }

    static RunInfo info() {
        return new RunInfo("2026-11-30T05:00:00Z", "Test CPU, 2 CPUs usable, Linux 6.1, JDK 25", "Temurin 25",
                "gcc (Debian 12.2.0-14) 12.2.0", "cpu 0,1", "quick", List.of("pipe", "channel"), "1.00 0.50 0.25",
                "1.10 0.60 0.30", 42);
    }

    /** A run with rows of every kind and for every goal. */
    static SuiteRun run() {
        return new SuiteRun(info(), List.of(
                latency("jipc", "pipe", 64, 20_000), latency("C", "pipe", 64, 10_000),
                latency("C", "shm spin flag", 64, 200), latency("jipc", "channel spin", 64, 300),
                latency("Agrona", "ring buffer spin", 64, 280), latency("C", "futex", 64, 15_000),
                latency("jipc", "channel futex", 64, 16_000), latency("jipc", "pipe", 4096, 30_000),
                throughput("jipc", "channel", 64, 10e6, 50), throughput("C", "channel", 64, 15e6, 25),
                throughput("Agrona", "channel", 64, 8e6, 60), throughput("jipc", "channel", 65536, 40_000, 9000),
                throughput("C", "memcpy", 65536, 100_000, 4000), throughput("jipc", "pipe", 65536, 48_000, 20000),
                throughput("C", "pipe", 65536, 50_000, 19000), idle("jipc", "channel futex", 0.02)),
                List.of(new StepFailure("latency: C socket 64 B", "IOException: gcc failed: exit 1")));
    }
}
