package jipc.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import jipc.bench.suite.Result;
import jipc.bench.suite.StepFailure;
import jipc.bench.suite.SuiteRun;

/** The files of a run: results.json written and read back, compare of two files, and the HTML report with plots. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReportFilesTest {
    @TempDir
    Path dir;

    @Test
    void jsonRoundTripKeepsEveryFigureIncludingTheOnesNotMeasured() throws IOException {
        SuiteRun run = Samples.run();
        Path file = dir.resolve("sub/run.json");

        ResultsJson.write(run, file);
        SuiteRun back = ResultsJson.read(file);

        assertEquals(run, back); // records compare doubles by Double.compare: NaN equals NaN
        assertTrue(Files.readString(file).contains("\"p50\" : 20000.0"), Files.readString(file));
        assertTrue(Files.readString(file).contains("\"NaN\""));
    }

    @Test
    void readingAFileThatIsNotAResultsFileNamesIt() throws IOException {
        Path file = Files.writeString(dir.resolve("x.json"), "[1, 2, 3]");

        IOException e = assertThrows(IOException.class, () -> ResultsJson.read(file));

        assertTrue(e.getMessage().startsWith(file + " is not a jipc bench results file: "), e.getMessage());
    }

    @Test
    void readingIgnoresFieldsItDoesNotKnow() throws IOException {
        String json = ResultsJson.toJson(Samples.run()).replaceFirst("\\{", "{ \"newer\" : 1,");

        assertEquals(Samples.run(), ResultsJson.fromJson(json));
    }

    @Test
    void compareShowsRowsInBothRunsWithTheRatiosBOverA() {
        SuiteRun a = new SuiteRun(Samples.info(), List.of(Samples.latency("jipc", "pipe", 64, 20_000),
                Samples.latency("C", "pipe", 64, 10_000), Samples.throughput("jipc", "pipe", 65536, 50_000, 100)),
                List.of());
        SuiteRun b = new SuiteRun(Samples.info(), List.of(Samples.latency("jipc", "pipe", 64, 15_000),
                Samples.throughput("jipc", "pipe", 65536, 60_000, 80), Samples.idle("jipc", "futex", 0.1)),
                List.of());

        List<Table> tables = Compare.tables(a, b);

        assertEquals(2, tables.size());
        assertEquals(List.of("latency, 64 B round trips (ns)", "p50 A", "p50 B", "p50 B/A", "p90 B/A", "p99 B/A",
                "p99.9 B/A", "max B/A"), tables.get(0).columns());
        assertEquals(List.of(List.of("jipc pipe", "20000", "15000", "0.75", "0.75", "0.75", "0.75", "0.75")),
                tables.get(0).rows());
        assertEquals(List.of(List.of("jipc pipe", "50.0k", "60.0k", "1.20", "1.20", "0.80", "0.80")),
                tables.get(1).rows());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Compare.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "a.json", a, "b.json", b);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("A: a.json\n   jipc bench (quick run"), text);
        assertTrue(text.contains("only in A: latency C pipe 64 B\nonly in B: idle_cpu jipc futex\n"), text);
    }

    @Test
    void htmlReportIsOnePageWithTablesGoalsFailuresAndEmbeddedPngPlots() throws IOException {
        SuiteRun run = Samples.run();

        Path index = HtmlReport.write(run, dir.resolve("report"));

        assertEquals(dir.resolve("report/index.html"), index);
        assertEquals(run, ResultsJson.read(dir.resolve("report/results.json")));
        String html = Files.readString(index);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<h3>latency, 64 B round trips (ns)</h3>"), html);
        assertTrue(html.contains("<tr class=\"ratio\"><td>jipc pipe / C pipe</td><td class=\"n\"></td>"
                + "<td class=\"n\">2.00</td>"), html);
        assertTrue(html.contains("<td class=\"missed\">missed by 25%</td>"), html);
        assertTrue(html.contains("<li>jipc channel futex: pinning none; receiver blocked in futex wait</li>"), html);
        assertTrue(html.contains("<li><b>latency: C socket 64 B</b>: IOException: gcc failed: exit 1</li>"), html);
        assertTrue(!html.contains("could not be drawn"), html);
        assertTrue(!html.contains("<script") && !html.contains("src=\"http"), "self-contained");

        List<String> titles = new ArrayList<>();
        Matcher plots = Pattern.compile("<h3>([^<]*)</h3>\n<img alt=\"[^\"]*\" src=\"data:image/png;base64,"
                + "([A-Za-z0-9+/=]+)\">").matcher(html);
        while (plots.find()) {
            titles.add(plots.group(1));
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(plots.group(2))));
            assertEquals(1000, image.getWidth());
            assertEquals(520, image.getHeight());
        }
        assertEquals(List.of("Round-trip latency by percentile, 64 B", "Round-trip latency by percentile, 4 KiB",
                "Throughput, messages per second", "Throughput, MB per second", "CPU per message, 64 B (ns, each side)",
                "CPU per message, 64 KiB (ns, each side)"), titles);
    }

    @Test
    void plotsAreDrawnForASingleSizeAndRowsOfTheSameName() {
        Result once = Samples.throughput("jipc", "pipe", 64, 1e6, 10);
        List<Charts.Plot> plots = Charts.of(List.of(once, once, Samples.latency("jipc", "pipe", 64, 100),
                Samples.latency("jipc", "pipe", 64, 120)));

        for (Charts.Plot plot : plots) {
            assertNull(plot.error(), plot.title());
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(plot.png(), 4));
        }
        assertEquals(4, plots.size());
    }

    @Test
    void theNinesAxisPutsEachNineOneDecadeFurther() {
        assertEquals("0%", Charts.nines(0));
        assertEquals("68%", Charts.nines(0.5));
        assertEquals("90%", Charts.nines(1));
        assertEquals("99%", Charts.nines(2));
        assertEquals("99.9%", Charts.nines(3));
        assertEquals("99.99%", Charts.nines(4));
        List<double[]> curve = Charts.curve(Samples.latency("C", "pipe", 64, 100));
        assertEquals(List.of(0.0, 0.301, 1.0, 2.0, 3.0, 4.0),
                curve.stream().map(p -> Math.round(p[0] * 1000) / 1000.0).toList());
        assertEquals(1000.0, curve.get(5)[1]); // the max
    }

    @Test
    void aRunWithNoResultsStillMakesAReport() throws IOException {
        SuiteRun run = new SuiteRun(Samples.info(), List.of(), List.of(new StepFailure("steps of x", "boom")));

        String html = Files.readString(HtmlReport.write(run, dir));

        assertTrue(html.contains("<p>No results.</p>"), html);
    }
}
