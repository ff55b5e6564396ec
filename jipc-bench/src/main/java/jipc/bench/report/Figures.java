package jipc.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jipc.bench.suite.Result;
import jipc.bench.suite.Result.Kind;

/**
 * How figures are looked up, grouped and written in every view of a run (console, HTML, comparison): rows grouped by
 * kind and message size, rows ordered by mechanism (in the order the benchmarks produced them) then implementation
 * (jipc, C, Agrona, JDK, others), and numbers written the same way everywhere ("-" for a figure not measured).
 */
public final class Figures {
    /** The implementations rows are ordered by (others follow in the order they appear). */
    static final List<String> IMPLEMENTATION_ORDER = List.of("jipc", "C", "Agrona", "JDK");

    private Figures() {
    }

    /** A table group: one kind of measurement at one message size (0 for idle CPU). */
    public record Group(Kind kind, int messageSize) {
        /** {@code "latency, 64 B round trips (ns)"}, {@code "throughput, 64 KiB messages one way"}, ... */
        public String title() {
            return switch (kind) {
                case LATENCY -> "latency, " + size(messageSize) + " round trips (ns)";
                case THROUGHPUT -> "throughput, " + size(messageSize) + " messages one way";
                case IDLE_CPU -> "idle receiver, CPU while blocked";
            };
        }
    }

    /** The results grouped by kind (latency, throughput, idle) and size (ascending), each group's rows ordered. */
    public static Map<Group, List<Result>> grouped(List<Result> results) {
        List<String> mechanisms = results.stream().map(Result::mechanism).distinct().toList();
        Comparator<Result> rowOrder = Comparator.<Result>comparingInt(r -> mechanisms.indexOf(r.mechanism()))
                .thenComparingInt(r -> implementationRank(r.implementation()));
        Map<Group, List<Result>> groups = new LinkedHashMap<>();
        results.stream()
                .sorted(Comparator.<Result, Kind>comparing(Result::kind).thenComparingInt(Result::messageSize))
                .forEach(r -> groups.computeIfAbsent(new Group(r.kind(), r.messageSize()), g -> new ArrayList<>())
                        .add(r));
        groups.values().forEach(rows -> rows.sort(rowOrder));
        return groups;
    }

    private static int implementationRank(String implementation) {
        int rank = IMPLEMENTATION_ORDER.indexOf(implementation);
        return rank < 0 ? IMPLEMENTATION_ORDER.size() : rank;
    }

    /** The first result of {@code kind} by {@code implementation} of {@code mechanism} at {@code size}. */
    public static Optional<Result> find(List<Result> results, Kind kind, String implementation, String mechanism,
            int size) {
        return results.stream().filter(r -> r.kind() == kind && r.messageSize() == size
                && r.implementation().equals(implementation) && r.mechanism().equals(mechanism)).findFirst();
    }

    /**
     * The Agrona row to hold a jipc {@code mechanism} against: Agrona's row of the same mechanism, or else the only
     * Agrona mechanism measured at that kind and size (Agrona has one ring buffer, whatever its benchmark calls it).
     */
    public static Optional<Result> agronaPeer(List<Result> results, Kind kind, String mechanism, int size) {
        Optional<Result> same = find(results, kind, "Agrona", mechanism, size);
        if (same.isPresent()) {
            return same;
        }
        List<Result> agrona = results.stream().filter(r -> r.kind() == kind && r.messageSize() == size
                && r.implementation().equals("Agrona")).toList();
        return agrona.stream().map(Result::mechanism).distinct().count() == 1 ? Optional.of(agrona.get(0))
                : Optional.empty();
    }

    /** {@code 64 B}, {@code 4 KiB}, {@code 1 MiB}, {@code 1000 B}. */
    public static String size(int bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }

    /** Nanoseconds as a whole number, {@code -} if not measured. */
    public static String nanos(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.0f", value) : "-";
    }

    /** A rate with a k/M/G suffix and three significant digits: {@code 12.3M}. */
    public static String rate(double value) {
        if (!Double.isFinite(value)) {
            return "-";
        }
        String[] suffixes = {"", "k", "M", "G"};
        int i = 0;
        double v = value;
        while (Math.abs(v) >= 1000 && i < suffixes.length - 1) {
            v /= 1000;
            i++;
        }
        return (Math.abs(v) >= 100 || i == 0 ? String.format(Locale.ROOT, "%.0f", v)
                : Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v)) + suffixes[i];
    }

    /** Bytes per second as MB/s (10^6 bytes). */
    public static String megabytes(double bytesPerSecond) {
        return Double.isFinite(bytesPerSecond) ? String.format(Locale.ROOT, "%.1f", bytesPerSecond / 1e6) : "-";
    }

    /** A small figure (CPU ns per message, % of a core) with one or two decimals. */
    public static String small(double value) {
        if (!Double.isFinite(value)) {
            return "-";
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 10 ? "%.1f" : "%.2f",
                value);
    }

    /** A ratio with two decimals, {@code -} if either side was not measured or the divisor is 0. */
    public static String ratio(double numerator, double denominator) {
        double r = numerator / denominator;
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f", r) : "-";
    }
}
