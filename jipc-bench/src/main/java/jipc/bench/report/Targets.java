package jipc.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import jipc.bench.suite.PairedRatio;
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
 * and from the run's {@link PairedRatio paired ratios} (median of per-block ratios with a 95 % interval; met only when
 * the whole interval is on the right side of the target), each shown with the floor measured in the same step:
 * <ul>
 * <li>topic 1&rarr;4 throughput, jipc BLOCK / the C twin BLOCK &ge; 0.8 (messages per second);</li>
 * <li>topic 1&rarr;4 throughput, jipc OVERWRITE / Agrona's broadcast &ge; 1.0 (both never block the publisher);</li>
 * <li>request/response round trip p50, jipc rpc with futex waits / a raw C futex ping-pong &le; 1.2;</li>
 * <li>Python, 64 B round trip p50, {@code multiprocessing.Pipe} between two Python processes / a jipc channel between
 * Java and Python waiting hybrid (each direction) &ge; 5;</li>
 * <li>Python, 64 KiB throughput, a Python consumer / the C twin's consumer of the same Java producer &ge; 0.8
 * (messages per second);</li>
 * <li>issue 16, the channel ({@code jipc.bench.channel.ChannelPaired}): spin round trip p50 / Agrona &le; 1.05
 * ("parity"), / the C twin &le; 1.1, / the C shm spin flag &le; 1.5; the C twin / Agrona &le; 1.05; spin p99 / Agrona
 * &le; 1.2 and p99.9 &le; 2 (pooled samples, bootstrap interval); hybrid / spin &le; 1.1 (jipc and C); jipc futex / raw
 * C futex &le; 1.1; 64 B msg/s / Agrona &ge; 0.95, / the C twin &ge; 0.9, / the C SPSC ring &ge; 0.6; 64 KiB / the C
 * twin &ge; 0.95 and / C memcpy &ge; 0.8; the hot threads' allocated bytes per message &le; 0.01; pipe and FIFO 64
 * KiB msg/s, jipc / C &ge; 0.95 ({@code jipc.bench.os.StreamPaired}).</li>
 * </ul>
 * When a run has the paired channel ratios, the plain same-run channel ratios they measure again are left out.
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
     * @param low the lower end of the value's interval (a paired ratio), or NaN for a plain same-run ratio
     * @param high its upper end, or NaN
     * @param floor the floor's absolute figure measured beside a paired ratio, or empty
     */
    public record Check(String goal, double value, boolean atMost, boolean strict, double limit, double low,
            double high, String floor) {
        /** A plain same-run ratio or absolute figure, without an interval. */
        public Check(String goal, double value, boolean atMost, boolean strict, double limit) {
            this(goal, value, atMost, strict, limit, Double.NaN, Double.NaN, "");
        }

        /** Whether the value has an interval (a paired ratio). */
        public boolean hasInterval() {
            return Double.isFinite(low) && Double.isFinite(high);
        }

        /** Whether the goal is met: the value, or with an interval the whole interval, is on the right side. */
        public boolean met() {
            return hasInterval() ? within(atMost ? high : low) : within(value);
        }

        private boolean within(double v) {
            return atMost ? (strict ? v < limit : v <= limit) : v >= limit;
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
            if (within(value)) {
                return "unsure: the interval crosses the target";
            }
            double by = atMost ? value / limit - 1 : 1 - value / limit;
            return String.format(Locale.ROOT, "missed by %.0f%%", Math.max(by * 100, 1));
        }

        /** {@code "1.35"}. */
        public String valueText() {
            return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value) : "-";
        }

        /** {@code "1.21-1.48"}, or empty without an interval. */
        public String intervalText() {
            return hasInterval() ? String.format(Locale.ROOT, "%.2f-%.2f", low, high) : "";
        }

        private static String trim(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /**
     * A goal on a paired ratio: row A's name starts with {@code numerator}, row B's with {@code denominator}, and
     * the ratio's {@link PairedRatio#figure()} is {@code figure} (any, if {@code null}); {@code sizes} the message
     * sizes it applies to (all, if empty).
     */
    private record PairedGoal(String label, Kind kind, String numerator, String denominator, String figure,
            List<Integer> sizes, boolean atMost, double limit) {
        PairedGoal(String label, Kind kind, String numerator, String denominator, boolean atMost, double limit) {
            this(label, kind, numerator, denominator, null, List.of(), atMost, limit);
        }

        boolean matches(PairedRatio r) {
            return r.kind() == kind && names(r.numerator(), numerator) && names(r.denominator(), denominator)
                    && (figure == null || figure.equals(r.figure()))
                    && (sizes.isEmpty() || sizes.contains(r.messageSize()));
        }

        /**
         * Whether {@code row} is the row {@code prefix} means: the same name, or one that adds words (a wait
         * strategy: "jipc topic BLOCK 1->4" is "jipc topic BLOCK 1->4 hybrid"), but not one that adds a parenthesised
         * qualifier, which names another row ("jipc channel (batch 64)", "jipc channel futex (virtual thread)").
         */
        private static boolean names(String row, String prefix) {
            return row.equals(prefix) || row.startsWith(prefix + " ") && !row.startsWith(prefix + " (");
        }
    }

    /** "Parity": the interval's upper end at most 1.05 (a ratio of times), or its lower end at least 1/1.05 (rates). */
    private static final double PARITY = 1.05;
    /** Parity for a rate: the interval's lower end at least 0.95 (about 1/1.05, written so the table reads well). */
    private static final double RATE_PARITY = 0.95;

    private static final List<PairedGoal> PAIRED_GOALS = List.of(
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc topic BLOCK 1->4", "C topic BLOCK 1->4", false, 0.8),
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc topic OVERWRITE 1->4", "Agrona broadcast 1->4", false,
                    1.0),
            new PairedGoal("latency", Kind.LATENCY, "jipc rpc futex", "C raw futex ping-pong", true, 1.2),
            // issue 16: the channel
            new PairedGoal("latency", Kind.LATENCY, "jipc channel spin", "Agrona channel spin", "p50", List.of(),
                    true, PARITY),
            new PairedGoal("latency", Kind.LATENCY, "jipc channel spin", "C channel spin", "p50", List.of(), true,
                    1.1),
            new PairedGoal("latency", Kind.LATENCY, "jipc channel spin", "C shm spin flag", "p50", List.of(), true,
                    1.5),
            new PairedGoal("latency", Kind.LATENCY, "C channel spin", "Agrona channel spin", "p50", List.of(), true,
                    PARITY),
            new PairedGoal("latency", Kind.LATENCY, "jipc channel spin", "Agrona channel spin", "p99", List.of(),
                    true, 1.2),
            new PairedGoal("latency", Kind.LATENCY, "jipc channel spin", "Agrona channel spin", "p99.9", List.of(),
                    true, 2.0),
            new PairedGoal("latency", Kind.LATENCY, "jipc channel hybrid", "jipc channel spin", "p50", List.of(),
                    true, 1.1),
            new PairedGoal("latency", Kind.LATENCY, "C channel hybrid", "C channel spin", "p50", List.of(), true,
                    1.1),
            new PairedGoal("latency", Kind.LATENCY, "jipc channel futex", "C futex", "p50", List.of(), true, 1.1),
            new PairedGoal("latency", Kind.LATENCY, "jipc channel futex (virtual thread)", "jipc channel futex",
                    "p50", List.of(), true, 1.5),
            // 64 B throughput: "batch API allowed, say which": against Agrona and the ring with the batch API;
            // against the C twin both ways (each twin with the same calls)
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc channel (batch 64)", "Agrona channel", "msg/s",
                    List.of(64), false, RATE_PARITY),
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc channel", "C channel", "msg/s", List.of(64), false,
                    0.9),
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc channel (batch 64)", "C channel (batch 64)", "msg/s",
                    List.of(64), false, 0.9),
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc channel (batch 64)", "C spsc ring", "msg/s",
                    List.of(64), false, 0.6),
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc channel", "C channel", "msg/s", List.of(65536),
                    false, 0.95),
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc channel", "C memcpy", "msg/s", List.of(65536), false,
                    0.8),
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc pipe", "C pipe", "msg/s", List.of(65536), false,
                    0.95),
            new PairedGoal("throughput", Kind.THROUGHPUT, "jipc fifo", "C fifo", "msg/s", List.of(65536), false,
                    0.95),
            new PairedGoal("allocation", Kind.LATENCY, "jipc channel", "messages", "allocated B/msg", List.of(), true,
                    0.01),
            new PairedGoal("allocation", Kind.THROUGHPUT, "jipc channel", "messages", "allocated B/msg", List.of(),
                    true, 0.01),
            // issue 17: Python
            new PairedGoal("latency", Kind.LATENCY, "Python multiprocessing.Pipe", "Java->Python jipc channel hybrid",
                    null, List.of(64), false, 5.0),
            new PairedGoal("latency", Kind.LATENCY, "Python multiprocessing.Pipe", "Python->Java jipc channel hybrid",
                    null, List.of(64), false, 5.0),
            new PairedGoal("throughput", Kind.THROUGHPUT, "Java->Python jipc channel hybrid",
                    "Java->C twin jipc channel hybrid", null, List.of(65536), false, 0.8));

    /** The checks that the rows and paired ratios of {@code run} allow: {@link #of(List)}, then the paired goals. */
    public static List<Check> of(jipc.bench.suite.SuiteRun run) {
        return of(run.results(), run.paired());
    }

    /** The checks that {@code results} and {@code paired} allow. */
    public static List<Check> of(List<Result> results, List<PairedRatio> paired) {
        boolean pairedChannel = paired.stream().anyMatch(r -> r.numerator().startsWith("jipc channel"));
        boolean pairedPipes = paired.stream().anyMatch(r -> r.numerator().startsWith("jipc pipe")
                || r.numerator().startsWith("jipc fifo"));
        List<Check> checks = new ArrayList<>(of(results).stream().filter(c -> !(pairedChannel && coveredByPaired(c))
                && !(pairedPipes && pipeCoveredByPaired(c))).toList());
        for (PairedRatio r : paired) {
            for (PairedGoal goal : PAIRED_GOALS) {
                if (goal.matches(r)) {
                    String how = r.figure().equals("p99") || r.figure().equals("p99.9") ? "pooled, bootstrap"
                            : "paired, " + r.blocks() + " blocks";
                    checks.add(new Check(goal.label() + " " + Figures.size(r.messageSize()) + " " + r.figure()
                            + " (" + how + "): " + r.name(), r.median(), goal.atMost(), false,
                            goal.limit(), r.low(), r.high(), r.floor()));
                }
            }
        }
        return checks;
    }

    /**
     * Whether a plain same-run check is one of the channel ratios that a run's paired channel ratios measure again,
     * block by block ({@code jipc.bench.channel.ChannelPaired}): those are left out when the run has them.
     */
    private static boolean coveredByPaired(Check check) {
        String g = check.goal();
        boolean channelLatency = g.startsWith("latency ") && (g.contains(": jipc channel spin /")
                || g.contains(": jipc channel futex /") || g.contains(": jipc channel hybrid /"))
                && !g.contains("(virtual thread)");
        boolean channelThroughput = (g.startsWith("throughput 64 B") || g.startsWith("throughput 64 KiB"))
                && g.contains(": jipc channel /");
        boolean virtualThread = g.contains(": jipc channel futex (virtual thread) / jipc channel futex");
        return channelLatency || channelThroughput || virtualThread;
    }

    /** Whether a plain check is the pipe or FIFO 64 KiB ratio that the run's paired pipe ratios measure again. */
    private static boolean pipeCoveredByPaired(Check check) {
        String g = check.goal();
        return g.startsWith("throughput 64 KiB MB/s: jipc pipe /") || g.startsWith("throughput 64 KiB MB/s: jipc fifo /");
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
