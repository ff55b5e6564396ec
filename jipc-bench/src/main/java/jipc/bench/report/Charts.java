package jipc.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler.LegendPosition;

import jipc.bench.suite.Result;
import jipc.bench.suite.Result.Kind;

/**
 * The plots of the HTML report, drawn with XChart into PNG bytes without a display ({@code java.awt.headless}):
 * latency percentile curves per message size on a "nines" axis (as HdrHistogram plots them: 90 %, 99 %, 99.9 % one
 * decade apart), throughput by message size (messages and megabytes per second), and CPU per message on each side.
 * A chart that cannot be drawn (no fonts on the machine, say) becomes a note in the report, not a failed run.
 */
public final class Charts {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 520;
    private static final long DRAW_SECONDS = 30;

    private Charts() {
    }

    /**
     * One plot: its title and PNG image, or the reason it could not be drawn.
     *
     * @param title what it shows
     * @param png the image, empty if {@code error} is set
     * @param error why there is no image, or {@code null}
     */
    public record Plot(String title, byte[] png, String error) {
    }

    /** Every plot the results allow, in report order. */
    public static List<Plot> of(List<Result> results) {
        System.setProperty("java.awt.headless", "true");
        List<Plot> plots = new ArrayList<>();
        for (int size : sizes(results, Kind.LATENCY)) {
            String title = "Round-trip latency by percentile, " + Figures.size(size);
            plots.add(draw(title, () -> latencyChart(title, rows(results, Kind.LATENCY, size))));
        }
        List<Result> throughput = results.stream().filter(r -> r.kind() == Kind.THROUGHPUT).toList();
        if (!throughput.isEmpty()) {
            plots.add(draw("Throughput, messages per second", () -> sizeChart("Throughput, messages per second",
                    "messages per second", throughput, Result::messagesPerSecond)));
            plots.add(draw("Throughput, MB per second", () -> sizeChart("Throughput, MB per second",
                    "MB per second (10^6 B)", throughput, r -> r.bytesPerSecond() / 1e6)));
            for (int size : sizes(results, Kind.THROUGHPUT)) {
                String title = "CPU per message, " + Figures.size(size) + " (ns, each side)";
                List<Result> rows = rows(results, Kind.THROUGHPUT, size).stream()
                        .filter(r -> Double.isFinite(r.senderCpuNanosPerMessage())
                                || Double.isFinite(r.receiverCpuNanosPerMessage())).toList();
                if (!rows.isEmpty()) {
                    plots.add(draw(title, () -> cpuChart(title, rows)));
                }
            }
        }
        return plots;
    }

    /** A chart to draw (may throw: the plot then carries the error). */
    private interface ChartMaker {
        Chart<?, ?> make();
    }

    /**
     * Draws on a daemon thread with a deadline: a charting library that loops on odd data must not hold the run's
     * results hostage (the plot then says it timed out, and the thread dies with the JVM).
     */
    private static Plot draw(String title, ChartMaker maker) {
        FutureTask<byte[]> task = new FutureTask<>(() -> BitmapEncoder.getBitmapBytes(maker.make(),
                BitmapFormat.PNG));
        Thread thread = new Thread(task, "jipc-bench-chart");
        thread.setDaemon(true);
        thread.start();
        try {
            return new Plot(title, task.get(DRAW_SECONDS, TimeUnit.SECONDS), null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return new Plot(title, new byte[0], cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (TimeoutException e) {
            task.cancel(true);
            return new Plot(title, new byte[0], "not drawn within " + DRAW_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Plot(title, new byte[0], "interrupted");
        }
    }

    /**
     * x = log10(1 / (1 - percentile / 100)): 0 % at 0, 90 % at 1, 99 % at 2...; y = round-trip nanoseconds (log).
     * The x axis is linear in that number (XChart's tick labelling function loops forever on a logarithmic axis).
     */
    static XYChart latencyChart(String title, List<Result> rows) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("percentile")
                .yAxisTitle("round trip (ns)").build();
        chart.getStyler().setYAxisLogarithmic(true).setxAxisTickLabelsFormattingFunction(Charts::nines);
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE).setMarkerSize(4);
        List<String> used = new ArrayList<>();
        for (Result row : rows) {
            List<double[]> points = curve(row);
            if (points.isEmpty()) {
                continue;
            }
            chart.addSeries(unique(row.name(), used), points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray());
        }
        return chart;
    }

    /**
     * The row's curve as (x on the nines axis, nanos): its recorded curve, or its percentiles if it has none. The
     * 100th percentile (the maximum) sits one nine past the last point (or at 1 / count, if further out).
     */
    static List<double[]> curve(Result row) {
        List<double[]> percentiles = new ArrayList<>();
        if (!row.curve().isEmpty()) {
            row.curve().forEach(p -> percentiles.add(new double[] {p.percentile(), p.nanos()}));
        } else {
            percentiles.add(new double[] {50, row.p50()});
            percentiles.add(new double[] {90, row.p90()});
            percentiles.add(new double[] {99, row.p99()});
            percentiles.add(new double[] {99.9, row.p999()});
            percentiles.add(new double[] {100, row.max()});
        }
        List<double[]> points = new ArrayList<>();
        double lastX = 0;
        for (double[] p : percentiles) {
            if (!(p[1] > 0) || !Double.isFinite(p[1]) || p[0] >= 100) {
                continue;
            }
            double x = Math.log10(100 / (100 - p[0]));
            lastX = Math.max(lastX, x);
            points.add(new double[] {x, p[1]});
        }
        for (double[] p : percentiles) {
            if (p[0] >= 100 && p[1] > 0 && Double.isFinite(p[1])) {
                points.add(new double[] {Math.max(lastX + 1, Math.log10(Math.max(1, row.count()))), p[1]});
            }
        }
        return points;
    }

    /**
     * The tick label of nines-axis position {@code x}: {@code 0%} at 0, {@code 90%} at 1, {@code 99.9%} at 3, with as
     * many decimals as the position needs. Labels must differ for different ticks (XChart otherwise searches for a
     * tick spacing forever), so positions left of 0 get their negative "percentile" rather than a clamped 0 %.
     */
    static String nines(double x) {
        double percentile = 100 - 100 / Math.pow(10, x);
        int decimals = (int) Math.max(0, Math.ceil(x - 1e-9) - 2);
        return String.format(Locale.ROOT, "%." + decimals + "f%%", percentile);
    }

    /** One line per row name across message sizes (log axes). */
    private static XYChart sizeChart(String title, String yTitle, List<Result> rows, ToDoubleFunction<Result> figure) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("message size (bytes)")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setXAxisDecimalPattern("#");
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE).setMarkerSize(6);
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Result row : rows) {
            double y = figure.applyAsDouble(row);
            if (y > 0 && Double.isFinite(y)) {
                List<double[]> points = series.computeIfAbsent(row.name(), n -> new ArrayList<>());
                if (points.stream().noneMatch(p -> p[0] == row.messageSize())) { // the first of duplicate rows
                    points.add(new double[] {row.messageSize(), y});
                }
            }
        }
        series.forEach((name, points) -> {
            points.sort((p, q) -> Double.compare(p[0], q[0]));
            chart.addSeries(name, points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray());
        });
        return chart;
    }

    /** Bars per row: sender and receiver CPU nanoseconds per message (0 where not measured). */
    private static CategoryChart cpuChart(String title, List<Result> rows) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("").yAxisTitle("CPU ns per message").build();
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
        List<String> used = new ArrayList<>();
        List<String> names = rows.stream().map(r -> unique(r.name(), used)).toList();
        chart.addSeries("sender", names, rows.stream().map(r -> (Number) finiteOrZero(r.senderCpuNanosPerMessage()))
                .toList());
        chart.addSeries("receiver", names, rows.stream().map(r -> (Number) finiteOrZero(
                r.receiverCpuNanosPerMessage())).toList());
        return chart;
    }

    /** {@code name}, or {@code name (2)}... if a series of that name exists already (XChart refuses duplicates). */
    private static String unique(String name, List<String> used) {
        String candidate = name;
        for (int n = 2; used.contains(candidate); n++) {
            candidate = name + " (" + n + ")";
        }
        used.add(candidate);
        return candidate;
    }

    private static double finiteOrZero(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    private static List<Integer> sizes(List<Result> results, Kind kind) {
        return results.stream().filter(r -> r.kind() == kind).map(Result::messageSize).distinct().sorted().toList();
    }

    private static List<Result> rows(List<Result> results, Kind kind, int size) {
        return Figures.grouped(results).getOrDefault(new Figures.Group(kind, size), List.of());
    }
}
