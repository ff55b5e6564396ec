package jipc.bench;

import java.io.PrintStream;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * The latency table of the harnesses: one row of round-trip percentiles per mechanism, in nanoseconds, then one row
 * per {@link Ratio} (e.g. jipc / C measured in the same run), column by column. The last column, the share of
 * round trips under {@value #FAST_NANOS} ns, tells the two regimes of a spin-then-sleep hand-off apart: a round trip
 * that fast cannot contain a futex sleep and wake-up (several microseconds each on a virtualised machine).
 */
final class LatencyTable {
    /** One mechanism's round trips. */
    record Row(String name, Histogram histogram) {
    }

    /** A ratio row: {@code numerator / denominator}, column by column. */
    record Ratio(String name, Row numerator, Row denominator) {
    }

    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String NAME_FORMAT = "%-36s";
    private static final String CELL_FORMAT = "%10s";
    /** Round trips at or below this many nanoseconds count as "no sleep" in the last column. */
    static final long FAST_NANOS = 2000;

    private LatencyTable() {
    }

    static void print(PrintStream out, String title, List<Row> rows, List<Ratio> ratios) {
        StringBuilder header = new StringBuilder(String.format(NAME_FORMAT, title));
        for (String column : new String[] {"count", "p50", "p90", "p99", "p99.9", "max", "mean", "<=2us %"}) {
            header.append(String.format(CELL_FORMAT, column));
        }
        out.println(header);
        for (Row row : rows) {
            StringBuilder line = new StringBuilder(String.format(NAME_FORMAT, row.name()));
            line.append(String.format(CELL_FORMAT, row.histogram().getTotalCount()));
            for (double value : values(row.histogram())) {
                line.append(String.format(CELL_FORMAT, String.format("%.0f", value)));
            }
            line.append(String.format(CELL_FORMAT, String.format("%.1f", fastShare(row.histogram()))));
            out.println(line);
        }
        for (Ratio ratio : ratios) {
            double[] first = values(ratio.numerator().histogram());
            double[] second = values(ratio.denominator().histogram());
            StringBuilder line = new StringBuilder(String.format(NAME_FORMAT, ratio.name()));
            line.append(String.format(CELL_FORMAT, ""));
            for (int i = 0; i < first.length; i++) {
                line.append(String.format(CELL_FORMAT, String.format("%.2f", first[i] / second[i])));
            }
            out.println(line);
        }
    }

    /** Percentage of round trips of at most {@link #FAST_NANOS}. */
    static double fastShare(Histogram histogram) {
        long total = histogram.getTotalCount();
        return total == 0 ? 0 : 100.0 * histogram.getCountBetweenValues(0, FAST_NANOS) / total;
    }

    /** p50, p90, p99, p99.9, max, mean. */
    static double[] values(Histogram histogram) {
        double[] values = new double[PERCENTILES.length + 2];
        for (int i = 0; i < PERCENTILES.length; i++) {
            values[i] = histogram.getValueAtPercentile(PERCENTILES[i]);
        }
        values[PERCENTILES.length] = histogram.getMaxValue();
        values[PERCENTILES.length + 1] = histogram.getMean();
        return values;
    }
}
