package jipc.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import jipc.bench.suite.Result;
import jipc.bench.suite.Result.Kind;

/**
 * The goals of jipc's benchmark issue, checked against the rows of one run when both rows exist (a ratio of two rows
 * measured in the same run; the idle share is absolute):
 * <ul>
 * <li>latency p50, jipc {@code channel spin} / C {@code shm spin flag} &le; 1.2 (the physical floor);</li>
 * <li>latency p50 and p99, jipc {@code channel spin} / Agrona &le; 1.0;</li>
 * <li>latency p50, jipc {@code channel futex} and {@code channel hybrid} / C {@code futex} &le; 1.1;</li>
 * <li>latency p50, every jipc row on a virtual thread ({@code channel futex (virtual thread)},
 * {@code pipe (virtual thread)}) / its platform-thread twin &le; 1.5 (each wake gains one hop: a service thread
 * unparks the virtual thread);</li>
 * <li>idle receiver, every jipc row (the virtual-thread receiver's too) &lt; 1 % of a core;</li>
 * <li>throughput 64 B, every jipc {@code channel...} row / C of the same mechanism &ge; 0.8 and / Agrona &ge; 1.0
 * (messages per second);</li>
 * <li>throughput 64 KiB, every jipc {@code channel...} row / C {@code memcpy} &ge; 0.8 (bytes per second);</li>
 * <li>throughput 64 KiB, jipc {@code pipe} and {@code fifo} / C of the same &ge; 0.95 (bytes per second).</li>
 * </ul>
 */
public final class Targets {
    private Targets() {
    }

    /**
     * One goal checked.
     *
     * @param goal what is compared, e.g. {@code "latency 64 B p50: jipc channel spin / C shm spin flag"}
     * @param value the ratio (or the absolute figure)
     * @param atMost whether {@code value} must stay at or below {@code limit} (else at or above), or below for
     *        {@link #strict}
     * @param strict {@code <} instead of {@code <=}
     * @param limit the goal's figure
     */
    public record Check(String goal, double value, boolean atMost, boolean strict, double limit) {
        /** Whether the goal is met. */
        public boolean met() {
            return atMost ? (strict ? value < limit : value <= limit) : value >= limit;
        }

        /** {@code "<= 1.2"}, {@code ">= 0.8"}, {@code "< 1"}. */
        public String target() {
            return (atMost ? (strict ? "< " : "<= ") : ">= ") + trim(limit);
        }

        /** {@code "met"} or {@code "missed by 12%"} (how far the value is past the limit, relative to the limit). */
        public String verdict() {
            if (!Double.isFinite(value)) {
                return "not measured";
            }
            if (met()) {
                return "met";
            }
            double by = atMost ? value / limit - 1 : 1 - value / limit;
            return String.format(Locale.ROOT, "missed by %.0f%%", Math.max(by * 100, 1));
        }

        /** {@code "1.35"}. */
        public String valueText() {
            return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value) : "-";
        }

        private static String trim(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /** The checks that the rows of {@code results} allow. */
    public static List<Check> of(List<Result> results) {
        List<Check> checks = new ArrayList<>();
        List<Integer> latencySizes = sizes(results, Kind.LATENCY);
        for (int size : latencySizes) {
            Optional<Result> spin = Figures.find(results, Kind.LATENCY, "jipc", "channel spin", size);
            Optional<Result> flag = Figures.find(results, Kind.LATENCY, "C", "shm spin flag", size);
            ratio(checks, "latency " + Figures.size(size) + " p50", spin, flag, Result::p50, true, 1.2);
            Optional<Result> agrona = Figures.agronaPeer(results, Kind.LATENCY, "channel spin", size);
            ratio(checks, "latency " + Figures.size(size) + " p50", spin, agrona, Result::p50, true, 1.0);
            ratio(checks, "latency " + Figures.size(size) + " p99", spin, agrona, Result::p99, true, 1.0);
            Optional<Result> futex = Figures.find(results, Kind.LATENCY, "C", "futex", size);
            for (String mechanism : List.of("channel futex", "channel hybrid")) {
                ratio(checks, "latency " + Figures.size(size) + " p50",
                        Figures.find(results, Kind.LATENCY, "jipc", mechanism, size), futex, Result::p50, true, 1.1);
            }
        }
        for (Result row : results) {
            if (row.kind() == Kind.LATENCY && row.implementation().equals("jipc")) {
                row.platformThreadMechanism().ifPresent(platform -> ratio(checks, "latency "
                        + Figures.size(row.messageSize()) + " p50", Optional.of(row), Figures.find(results,
                        Kind.LATENCY, "jipc", platform, row.messageSize()), Result::p50, true, 1.5));
            }
        }
        for (Result idle : results) {
            if (idle.kind() == Kind.IDLE_CPU && idle.implementation().equals("jipc")) {
                checks.add(new Check("idle: " + idle.name() + ", % of a core", idle.idleCpuPercent(), true, true, 1));
            }
        }
        for (Result row : results) {
            if (row.kind() != Kind.THROUGHPUT || !row.implementation().equals("jipc")) {
                continue;
            }
            String label = "throughput " + Figures.size(row.messageSize());
            if (row.mechanism().startsWith("channel") && row.messageSize() == 64) {
                ratio(checks, label + " msg/s", Optional.of(row), Figures.find(results, Kind.THROUGHPUT, "C",
                        row.mechanism(), 64), Result::messagesPerSecond, false, 0.8);
                ratio(checks, label + " msg/s", Optional.of(row), Figures.agronaPeer(results, Kind.THROUGHPUT,
                        row.mechanism(), 64), Result::messagesPerSecond, false, 1.0);
            }
            if (row.mechanism().startsWith("channel") && row.messageSize() == 65536) {
                ratio(checks, label + " MB/s", Optional.of(row), Figures.find(results, Kind.THROUGHPUT, "C",
                        "memcpy", 65536), Result::bytesPerSecond, false, 0.8);
            }
            if ((row.mechanism().equals("pipe") || row.mechanism().equals("fifo")) && row.messageSize() == 65536) {
                ratio(checks, label + " MB/s", Optional.of(row), Figures.find(results, Kind.THROUGHPUT, "C",
                        row.mechanism(), 65536), Result::bytesPerSecond, false, 0.95);
            }
        }
        return checks;
    }

    private static void ratio(List<Check> checks, String label, Optional<Result> numerator,
            Optional<Result> denominator, ToDoubleFunction<Result> figure, boolean atMost, double limit) {
        if (numerator.isPresent() && denominator.isPresent()) {
            Result a = numerator.get();
            Result b = denominator.get();
            checks.add(new Check(label + ": " + a.name() + " / " + b.name(),
                    figure.applyAsDouble(a) / figure.applyAsDouble(b), atMost, false, limit));
        }
    }

    private static List<Integer> sizes(List<Result> results, Kind kind) {
        return results.stream().filter(r -> r.kind() == kind).map(Result::messageSize).distinct().sorted().toList();
    }
}
