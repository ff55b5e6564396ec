package jipc.bench.suite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The results of a run that measured every step several times ({@code jipc bench --repeat N}) reduced to one row per
 * mechanism, implementation, kind and size: the median run, by p50 for latency, bytes per second for throughput and
 * percent of a core for idle CPU. The row keeps the median run's every figure (percentiles and CPU of the same run, so
 * they stay consistent) and its note says how many runs there were and their range.
 */
final class Medians {
    private Medians() {
    }

    /** One row per mechanism, implementation, kind and size, in the order the rows first appeared. */
    static List<Result> of(List<Result> results) {
        Map<String, List<Result>> rows = new LinkedHashMap<>();
        for (Result r : results) {
            rows.computeIfAbsent(r.implementation() + "|" + r.mechanism() + "|" + r.kind() + "|" + r.messageSize(),
                    k -> new ArrayList<>()).add(r);
        }
        List<Result> medians = new ArrayList<>();
        for (List<Result> runs : rows.values()) {
            medians.add(runs.size() == 1 ? runs.getFirst() : median(runs));
        }
        return medians;
    }

    /**
     * One paired ratio per pair of rows, size and figure: the run with the median median (its interval and blocks
     * kept, its note saying how many runs there were and the range of their medians).
     */
    static List<PairedRatio> ofPaired(List<PairedRatio> ratios) {
        Map<String, List<PairedRatio>> groups = new LinkedHashMap<>();
        for (PairedRatio r : ratios) {
            groups.computeIfAbsent(r.name() + "|" + r.kind() + "|" + r.messageSize() + "|" + r.figure(),
                    k -> new ArrayList<>()).add(r);
        }
        List<PairedRatio> medians = new ArrayList<>();
        for (List<PairedRatio> runs : groups.values()) {
            if (runs.size() == 1) {
                medians.add(runs.getFirst());
                continue;
            }
            List<PairedRatio> sorted = new ArrayList<>(runs);
            sorted.sort(Comparator.comparingDouble(PairedRatio::median));
            PairedRatio m = sorted.get(sorted.size() / 2);
            String note = (m.note().isEmpty() ? "" : m.note() + "; ") + "the run with the median median of "
                    + runs.size() + " runs, round robin (" + String.format(Locale.ROOT, "%.3g to %.3g",
                    sorted.getFirst().median(), sorted.getLast().median()) + ")";
            medians.add(new PairedRatio(m.numerator(), m.denominator(), m.kind(), m.messageSize(), m.figure(),
                    m.blocks(), m.median(), m.low(), m.high(), m.confidence(), m.seconds(), m.floor(), m.ratios(),
                    note));
        }
        return medians;
    }

    private static Result median(List<Result> runs) {
        Result.Kind kind = runs.getFirst().kind();
        ToDoubleFunction<Result> figure = switch (kind) {
            case LATENCY -> Result::p50;
            case THROUGHPUT -> Result::bytesPerSecond;
            case IDLE_CPU -> Result::idleCpuPercent;
        };
        String what = switch (kind) {
            case LATENCY -> "p50 (ns)";
            case THROUGHPUT -> "MB/s";
            case IDLE_CPU -> "% of a core";
        };
        double scale = kind == Result.Kind.THROUGHPUT ? 1e-6 : 1;
        List<Result> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(figure));
        Result m = sorted.get(sorted.size() / 2);
        String range = String.format(Locale.ROOT, "%.4g to %.4g", figure.applyAsDouble(sorted.getFirst()) * scale,
                figure.applyAsDouble(sorted.getLast()) * scale);
        String note = (m.note().isEmpty() ? "" : m.note() + "; ") + "the median run by " + what + " of "
                + runs.size() + " runs, round robin (" + range + ")";
        return new Result(m.mechanism(), m.implementation(), m.kind(), m.messageSize(), m.count(), m.p50(), m.p90(),
                m.p99(), m.p999(), m.max(), m.mean(), m.curve(), m.messagesPerSecond(), m.bytesPerSecond(),
                m.senderCpuNanosPerMessage(), m.receiverCpuNanosPerMessage(), m.idleCpuPercent(), m.pinning(), note);
    }
}
