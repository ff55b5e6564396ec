package jipc.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import jipc.bench.suite.StepFailure;
import jipc.bench.suite.SuiteRun;

/**
 * {@code jipc bench --report DIR}: a self-contained {@code index.html} (the plots embedded as base64 PNG, no scripts,
 * no external files) with the console tables as HTML tables, the goals, the failed steps and the run's facts, plus
 * {@code results.json} beside it ({@link ResultsJson}).
 */
public final class HtmlReport {
    /** The report's page. */
    public static final String INDEX = "index.html";
    /** The raw results beside it. */
    public static final String RESULTS = "results.json";

    private HtmlReport() {
    }

    /** Writes {@code DIR/index.html} and {@code DIR/results.json} (creating {@code DIR}); returns the page's path. */
    public static Path write(SuiteRun run, Path directory) throws IOException {
        Files.createDirectories(directory);
        ResultsJson.write(run, directory.resolve(RESULTS));
        Path index = directory.resolve(INDEX);
        Files.writeString(index, html(run, Charts.of(run.results())));
        return index;
    }

    /** The page of {@code run} with {@code plots}. */
    public static String html(SuiteRun run, List<Charts.Plot> plots) {
        StringBuilder page = new StringBuilder();
        page.append("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>jipc bench</title>
                <style>
                body { font-family: sans-serif; margin: 2em; max-width: 70em; color: #222; }
                table { border-collapse: collapse; margin: 0.5em 0 1.5em 0; }
                th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; }
                td.n { text-align: right; font-variant-numeric: tabular-nums; }
                tr.ratio td { background: #f4f4f8; font-style: italic; }
                td.met { color: #060; } td.missed { color: #a00; }
                img { max-width: 100%; display: block; margin: 0.5em 0 1.5em 0; }
                .meta { color: #555; }
                </style>
                </head>
                <body>
                <h1>jipc bench</h1>
                """);
        page.append("<ul class=\"meta\">\n");
        for (String line : ConsoleReport.headerLines(run.info())) {
            page.append("<li>").append(escape(line)).append("</li>\n");
        }
        page.append("</ul>\n");
        page.append("<p>Every ratio divides two rows measured in the same run, one after the other on the same "
                + "machine. Latency and CPU ratios below 1 and throughput ratios above 1 favour jipc. Raw figures: "
                + "<a href=\"" + RESULTS + "\">" + RESULTS + "</a>.</p>\n");
        if (!run.failures().isEmpty()) {
            page.append("<h2>Failed steps</h2>\n<ul>\n");
            for (StepFailure failure : run.failures()) {
                page.append("<li><b>").append(escape(failure.step())).append("</b>: ").append(escape(failure.error()))
                        .append("</li>\n");
            }
            page.append("</ul>\n");
        }
        List<Targets.Check> checks = Targets.of(run);
        if (!checks.isEmpty()) {
            page.append("<h2>Goals</h2>\n");
            table(page, ConsoleReport.targetsTable(checks));
        }
        if (!run.paired().isEmpty()) {
            page.append("<h2>Paired ratios</h2>\n");
            table(page, ConsoleReport.pairedTable(run.paired()));
        }
        page.append("<h2>Tables</h2>\n");
        if (run.results().isEmpty()) {
            page.append("<p>No results.</p>\n");
        }
        for (Table table : Tables.of(run.results(), run.info().pinning())) {
            page.append("<h3>").append(escape(table.title())).append("</h3>\n");
            table(page, table);
        }
        if (!plots.isEmpty()) {
            page.append("<h2>Plots</h2>\n");
        }
        for (Charts.Plot plot : plots) {
            page.append("<h3>").append(escape(plot.title())).append("</h3>\n");
            if (plot.error() == null) {
                page.append("<img alt=\"").append(escape(plot.title())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(plot.png())).append("\">\n");
            } else {
                page.append("<p>(this plot could not be drawn: ").append(escape(plot.error())).append(")</p>\n");
            }
        }
        page.append("</body>\n</html>\n");
        return page.toString();
    }

    private static void table(StringBuilder page, Table table) {
        page.append("<table>\n<tr>");
        for (String column : table.columns()) {
            page.append("<th>").append(escape(column)).append("</th>");
        }
        page.append("</tr>\n");
        for (List<String> row : table.rows()) {
            row(page, row, "");
        }
        for (List<String> row : table.ratios()) {
            row(page, row, " class=\"ratio\"");
        }
        page.append("</table>\n");
        if (!table.notes().isEmpty()) {
            page.append("<ul class=\"meta\">\n");
            for (String note : table.notes()) {
                page.append("<li>").append(escape(note)).append("</li>\n");
            }
            page.append("</ul>\n");
        }
    }

    private static void row(StringBuilder page, List<String> cells, String rowClass) {
        page.append("<tr").append(rowClass).append(">");
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            String cellClass = i == 0 ? "" : cell.equals("met") ? " class=\"met\""
                    : cell.startsWith("missed") ? " class=\"missed\"" : " class=\"n\"";
            page.append("<td").append(cellClass).append(">").append(escape(cell)).append("</td>");
        }
        page.append("</tr>\n");
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
