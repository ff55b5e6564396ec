package jipc.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jipc.bench.report.Figures.Group;
import jipc.bench.suite.Result;
import jipc.bench.suite.Result.Kind;

/**
 * The tables of a run, one per kind and message size: rows per implementation and mechanism, then every jipc row
 * divided by the C, Agrona and JDK rows of the same mechanism and size, and every JDK and Agrona row by the C row
 * (measured in the same run, so the machine's load weighs on both sides alike); a jipc row on a virtual thread is
 * also divided by its platform-thread twin. Latency and CPU ratios below 1 and throughput ratios above 1 favour jipc.
 */
public final class Tables {
    static final List<String> LATENCY_COLUMNS = List.of("count", "p50", "p90", "p99", "p99.9", "max");
    static final List<String> THROUGHPUT_COLUMNS = List.of("count", "msg/s", "MB/s", "CPU ns/msg send",
            "CPU ns/msg recv");
    static final List<String> IDLE_COLUMNS = List.of("count", "% core");
    /** The implementations every jipc row is divided by, when they have a row of the same mechanism and size. */
    static final List<String> BASELINES = List.of("C", "Agrona", "JDK");

    private Tables() {
    }

    /** One table per group of {@link Figures#grouped}; rows pinned otherwise than {@code runPinning} say so. */
    public static List<Table> of(List<Result> results, String runPinning) {
        List<Table> tables = new ArrayList<>();
        for (Map.Entry<Group, List<Result>> group : Figures.grouped(results).entrySet()) {
            tables.add(table(group.getKey(), group.getValue(), results, runPinning));
        }
        return tables;
    }

    /** One table per group of {@link Figures#grouped}. */
    public static List<Table> of(List<Result> results) {
        return of(results, null);
    }

    private static Table table(Group group, List<Result> rows, List<Result> all, String runPinning) {
        List<String> columns = new ArrayList<>();
        columns.add(group.title());
        columns.addAll(switch (group.kind()) {
            case LATENCY -> LATENCY_COLUMNS;
            case THROUGHPUT -> THROUGHPUT_COLUMNS;
            case IDLE_CPU -> IDLE_COLUMNS;
        });
        List<List<String>> cells = new ArrayList<>();
        List<List<String>> ratios = new ArrayList<>();
        for (Result row : rows) {
            cells.add(cells(row));
        }
        for (Result row : rows) {
            // jipc against every baseline; the other Java implementations (JDK, Agrona) against C
            boolean jipc = row.implementation().equals("jipc");
            if (!jipc && !BASELINES.contains(row.implementation())) {
                continue;
            }
            for (String baseline : jipc ? BASELINES : List.of("C")) {
                if (baseline.equals(row.implementation())) {
                    continue;
                }
                Optional<Result> base = Figures.find(all, row.kind(), baseline, row.mechanism(), row.messageSize());
                base.ifPresent(b -> ratios.add(ratioCells(row.name() + " / " + b.name(), row, b)));
            }
            if (jipc) {
                row.platformThreadMechanism().flatMap(platform -> Figures.find(all, row.kind(), "jipc", platform,
                        row.messageSize())).ifPresent(b -> ratios.add(ratioCells(row.name() + " / " + b.name(), row,
                        b)));
            }
        }
        // rows with the same note share one line: "jipc pipe, C pipe: pipe capacity ..."
        Map<String, List<String>> namesByNote = new LinkedHashMap<>();
        for (Result row : rows) {
            List<String> parts = new ArrayList<>();
            if (runPinning != null && row.pinning() != null && !row.pinning().equals(runPinning)) {
                parts.add("pinning " + row.pinning());
            }
            if (row.note() != null && !row.note().isBlank()) {
                parts.add(row.note());
            }
            if (!parts.isEmpty()) {
                List<String> names = namesByNote.computeIfAbsent(String.join("; ", parts), n -> new ArrayList<>());
                if (!names.contains(row.name())) {
                    names.add(row.name());
                }
            }
        }
        List<String> notes = new ArrayList<>();
        namesByNote.forEach((note, names) -> notes.add(String.join(", ", names) + ": " + note));
        return new Table(group.title(), columns, cells, ratios, notes);
    }

    /** The row name (with the pinning if not the run's usual, and the note) and its figures. */
    static List<String> cells(Result r) {
        List<String> cells = new ArrayList<>();
        cells.add(r.name());
        switch (r.kind()) {
            case LATENCY -> {
                cells.add(String.valueOf(r.count()));
                for (double v : new double[] {r.p50(), r.p90(), r.p99(), r.p999(), r.max()}) {
                    cells.add(Figures.nanos(v));
                }
            }
            case THROUGHPUT -> {
                cells.add(String.valueOf(r.count()));
                cells.add(Figures.rate(r.messagesPerSecond()));
                cells.add(Figures.megabytes(r.bytesPerSecond()));
                cells.add(Figures.small(r.senderCpuNanosPerMessage()));
                cells.add(Figures.small(r.receiverCpuNanosPerMessage()));
            }
            case IDLE_CPU -> {
                cells.add(String.valueOf(r.count()));
                cells.add(Figures.small(r.idleCpuPercent()));
            }
        }
        return cells;
    }

    /** {@code numerator / denominator} for each figure of the kind (the count column stays empty). */
    static List<String> ratioCells(String name, Result numerator, Result denominator) {
        List<String> cells = new ArrayList<>();
        cells.add(name);
        cells.add("");
        double[] a = mainFigures(numerator);
        double[] b = mainFigures(denominator);
        for (int i = 0; i < a.length; i++) {
            cells.add(Figures.ratio(a[i], b[i]));
        }
        return cells;
    }

    /** The figures a ratio divides: the percentiles; the rates and CPU costs; the idle share. */
    static double[] mainFigures(Result r) {
        return switch (r.kind()) {
            case LATENCY -> new double[] {r.p50(), r.p90(), r.p99(), r.p999(), r.max()};
            case THROUGHPUT -> new double[] {r.messagesPerSecond(), r.bytesPerSecond(), r.senderCpuNanosPerMessage(),
                    r.receiverCpuNanosPerMessage()};
            case IDLE_CPU -> new double[] {r.idleCpuPercent()};
        };
    }

    /** The names of {@link #mainFigures} for {@code kind}. */
    static List<String> mainFigureNames(Kind kind) {
        return switch (kind) {
            case LATENCY -> LATENCY_COLUMNS.subList(1, LATENCY_COLUMNS.size());
            case THROUGHPUT -> THROUGHPUT_COLUMNS.subList(1, THROUGHPUT_COLUMNS.size());
            case IDLE_CPU -> IDLE_COLUMNS.subList(1, IDLE_COLUMNS.size());
        };
    }
}
