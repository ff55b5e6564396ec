package jipc.bench.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jipc.bench.report.Figures.Group;
import jipc.bench.suite.Result;
import jipc.bench.suite.Result.Kind;
import jipc.bench.suite.SuiteRun;

/**
 * {@code jipc bench compare A.json B.json}: every row present in both runs (same kind, size, implementation and
 * mechanism) with A's and B's main figure and the ratio B / A of each figure. Runs on different days or machines carry
 * different noise: the header lines of both are printed so the reader can judge.
 */
public final class Compare {
    private Compare() {
    }

    /** The comparison tables, one per kind and size that has rows in both runs. */
    public static List<Table> tables(SuiteRun a, SuiteRun b) {
        List<Table> tables = new ArrayList<>();
        for (Map.Entry<Group, List<Result>> group : Figures.grouped(a.results()).entrySet()) {
            Kind kind = group.getKey().kind();
            List<String> names = Tables.mainFigureNames(kind);
            List<String> columns = new ArrayList<>();
            columns.add(group.getKey().title());
            columns.add(names.get(0) + " A");
            columns.add(names.get(0) + " B");
            for (String name : names) {
                columns.add(name + " B/A");
            }
            List<List<String>> rows = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            for (Result ra : group.getValue()) {
                if (seen.contains(ra.name())) {
                    continue; // the first of duplicate rows stands for them, as in Figures.find
                }
                seen.add(ra.name());
                Optional<Result> rb = Figures.find(b.results(), kind, ra.implementation(), ra.mechanism(),
                        ra.messageSize());
                if (rb.isEmpty()) {
                    continue;
                }
                double[] fa = Tables.mainFigures(ra);
                double[] fb = Tables.mainFigures(rb.get());
                List<String> cells = new ArrayList<>();
                cells.add(ra.name());
                cells.add(format(kind, fa[0]));
                cells.add(format(kind, fb[0]));
                for (int i = 0; i < fa.length; i++) {
                    cells.add(Figures.ratio(fb[i], fa[i]));
                }
                rows.add(cells);
            }
            if (!rows.isEmpty()) {
                tables.add(new Table(group.getKey().title(), columns, rows, List.of()));
            }
        }
        return tables;
    }

    /** The names of rows in {@code a} that {@code b} does not have (with kind and size). */
    public static List<String> onlyIn(SuiteRun a, SuiteRun b) {
        List<String> missing = new ArrayList<>();
        for (Result ra : a.results()) {
            if (Figures.find(b.results(), ra.kind(), ra.implementation(), ra.mechanism(), ra.messageSize())
                    .isEmpty()) {
                String label = ra.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + ra.name()
                        + (ra.kind() == Kind.IDLE_CPU ? "" : " " + Figures.size(ra.messageSize()));
                if (!missing.contains(label)) {
                    missing.add(label);
                }
            }
        }
        return missing;
    }

    /** Prints both runs' headers, the tables, and the rows only one run has. */
    public static void print(PrintStream out, String nameA, SuiteRun a, String nameB, SuiteRun b) {
        out.println("A: " + nameA);
        ConsoleReport.headerLines(a.info()).forEach(line -> out.println("   " + line));
        out.println("B: " + nameB);
        ConsoleReport.headerLines(b.info()).forEach(line -> out.println("   " + line));
        List<Table> tables = tables(a, b);
        for (Table table : tables) {
            out.println();
            out.print(ConsoleReport.render(table));
        }
        if (tables.isEmpty()) {
            out.println();
            out.println("no row is in both runs");
        }
        List<String> onlyA = onlyIn(a, b);
        List<String> onlyB = onlyIn(b, a);
        if (!onlyA.isEmpty()) {
            out.println();
            out.println("only in A: " + String.join("; ", onlyA));
        }
        if (!onlyB.isEmpty()) {
            out.println((onlyA.isEmpty() ? "\n" : "") + "only in B: " + String.join("; ", onlyB));
        }
        out.flush();
    }

    private static String format(Kind kind, double value) {
        return switch (kind) {
            case LATENCY -> Figures.nanos(value);
            case THROUGHPUT -> Figures.rate(value);
            case IDLE_CPU -> Figures.small(value);
        };
    }
}
