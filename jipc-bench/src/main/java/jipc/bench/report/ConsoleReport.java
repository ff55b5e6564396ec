package jipc.bench.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import jipc.bench.suite.RunInfo;
import jipc.bench.suite.StepFailure;
import jipc.bench.suite.SuiteRun;

/**
 * The console form of a run (standard output): a header saying where and how it ran, one aligned table per kind and
 * message size with its ratio rows, the goals ({@link Targets}) as "met" / "missed by x%", and the failed
 * steps.
 */
public final class ConsoleReport {
    private ConsoleReport() {
    }

    public static void print(PrintStream out, SuiteRun run) {
        header(out, run.info());
        for (Table table : Tables.of(run.results(), run.info().pinning())) {
            out.println();
            out.print(render(table));
        }
        if (!run.paired().isEmpty()) {
            out.println();
            out.print(render(pairedTable(run.paired())));
        }
        List<Targets.Check> checks = Targets.of(run);
        if (!checks.isEmpty()) {
            out.println();
            out.print(render(targetsTable(checks)));
        }
        if (run.results().isEmpty()) {
            out.println();
            out.println("no results");
        }
        if (!run.failures().isEmpty()) {
            out.println();
            out.println(run.failures().size() + " step" + (run.failures().size() == 1 ? "" : "s") + " failed:");
            for (StepFailure failure : run.failures()) {
                out.println("  " + failure.step() + ": " + failure.error());
            }
        }
        out.flush();
    }

    /** The lines about the run: what, when, where, pinning and load. */
    public static List<String> headerLines(RunInfo info) {
        // "full; latency sizes 64 B; ...": the plan's name in the first line, what the run changed of it in its own
        String[] plan = info.plan().split("; ", 2);
        List<String> lines = new ArrayList<>(List.of("jipc bench (" + plan[0] + " run, "
                        + String.join(", ", info.benchmarks()) + ") " + info.date()
                        + String.format(java.util.Locale.ROOT, ", %.0f s", info.seconds())));
        if (plan.length == 2) {
            lines.add("run options: " + plan[1]);
        }
        lines.addAll(List.of("machine: " + info.machine(),
                "JDK: " + info.jdk() + "; C compiler: " + info.gcc(),
                "pinning: " + info.pinning() + "; load average (1/5/15 min): " + info.loadStart() + " at the start, "
                        + info.loadEnd() + " at the end"));
        return lines;
    }

    private static void header(PrintStream out, RunInfo info) {
        headerLines(info).forEach(out::println);
    }

    /**
     * The goals as a table: goal, value, target, verdict; with paired ratios also the interval and the floor's
     * absolute figure (the machine's speed state when they were measured).
     */
    public static Table targetsTable(List<Targets.Check> checks) {
        boolean paired = checks.stream().anyMatch(Targets.Check::hasInterval);
        List<List<String>> rows = new ArrayList<>();
        for (Targets.Check check : checks) {
            rows.add(paired ? List.of(check.goal(), check.valueText(), check.intervalText(), check.target(),
                    check.verdict(), check.floor())
                    : List.of(check.goal(), check.valueText(), check.target(), check.verdict()));
        }
        List<String> columns = paired
                ? List.of("goals (same-run ratios)", "value", "95% interval", "target", "verdict", "floor")
                : List.of("goals (same-run ratios)", "value", "target", "verdict");
        return new Table("goals (same-run ratios)", columns, rows, List.of());
    }

    /**
     * The paired ratios: A / B, the figure, blocks, median, interval (with its coverage) and the window's seconds;
     * their notes and floors below.
     */
    public static Table pairedTable(List<jipc.bench.suite.PairedRatio> ratios) {
        List<List<String>> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (jipc.bench.suite.PairedRatio r : ratios) {
            rows.add(List.of(r.name(), Figures.size(r.messageSize()) + " " + r.figure(),
                    String.valueOf(r.blocks()), String.format(java.util.Locale.ROOT, "%.3f", r.median()),
                    String.format(java.util.Locale.ROOT, "%.3f-%.3f", r.low(), r.high()),
                    String.format(java.util.Locale.ROOT, "%.1f%%", 100 * r.confidence()),
                    String.format(java.util.Locale.ROOT, "%.1f", r.seconds())));
            String note = String.join("; ", java.util.stream.Stream.of(r.floor().isEmpty() ? "" : "floor " + r.floor(),
                    r.note()).filter(t -> !t.isEmpty()).toList());
            if (!note.isEmpty() && !notes.contains(note)) {
                notes.add(r.name() + " " + Figures.size(r.messageSize()) + ": " + note);
            }
        }
        return new Table("paired ratios (A / B, median of per-block ratios)", List.of(
                "paired ratios (A / B, median of per-block ratios)", "figure", "blocks", "median", "interval",
                "coverage", "s"), rows, List.of(), notes);
    }

    /** {@code table} as aligned text: the first column left-aligned, the others right-aligned. */
    public static String render(Table table) {
        List<List<String>> all = new ArrayList<>();
        all.add(table.columns());
        all.addAll(table.rows());
        all.addAll(table.ratios());
        int columns = table.columns().size();
        int[] widths = new int[columns];
        for (List<String> row : all) {
            for (int i = 0; i < Math.min(columns, row.size()); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        int firstRatio = 1 + table.rows().size();
        for (int r = 0; r < all.size(); r++) {
            List<String> row = all.get(r);
            if (r == firstRatio) {
                text.append('\n'); // the ratios stand apart from the measured rows
            }
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = i < row.size() ? row.get(i) : "";
                if (i == 0) {
                    line.append(cell).append(" ".repeat(widths[0] - cell.length()));
                } else {
                    line.append("  ").append(" ".repeat(widths[i] - cell.length())).append(cell);
                }
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        for (String note : table.notes()) {
            text.append("  note: ").append(note).append('\n');
        }
        return text.toString();
    }
}
