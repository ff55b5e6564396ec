package jipc.bench.report;

import java.util.List;

/**
 * A table of a run as both the console and the HTML report show it: a title, column headers (the first is the row
 * name's), the measured rows, then the ratio rows (e.g. {@code jipc / C pipe}), all as formatted text, and notes
 * under it (a row's own note, or its pinning where it differs from the run's).
 */
public record Table(String title, List<String> columns, List<List<String>> rows, List<List<String>> ratios,
        List<String> notes) {
    public Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        ratios = ratios.stream().map(List::copyOf).toList();
        notes = List.copyOf(notes);
    }

    /** A table without notes. */
    public Table(String title, List<String> columns, List<List<String>> rows, List<List<String>> ratios) {
        this(title, columns, rows, ratios, List.of());
    }
}
