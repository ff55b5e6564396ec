package jipc.bench;

import java.io.PrintStream;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * The hand-off result table: one row of round-trip percentiles per mechanism, in nanoseconds, then one row per
 * baseline with the ratio of the first mechanism to it (jipc / C), column by column. The last column, the share of
 * round trips under {@value #FAST_NANOS} ns, tells the two regimes of a spin-then-sleep hand-off apart: a round trip
 * that fast cannot contain a futex sleep and wake-up (several microseconds each on a virtualised machine).
 */
final class HandoffTable {
    /** One mechanism's round trips. */
    record Row(String name, Histogram histogram) {
    }

    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String NAME_FORMAT = "%-32s";
    private static final String CELL_FORMAT = "%10s";
    /** Round trips at or below this many nanoseconds count as "no sleep" in the last column. */
    static final long FAST_NANOS = 2000;

    private HandoffTable() {
    }

    static void print(PrintStream out, List<Row> rows) {
        StringBuilder header = new StringBuilder(String.format(NAME_FORMAT, "round trip, ns"));
        for (String title : new String[] {"count", "p50", "p90", "p99", "p99.9", "max", "mean", "<=2us %"}) {
            header.append(String.format(CELL_FORMAT, title));
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
        double[] first = values(rows.get(0).histogram());
        for (Row baseline : rows.subList(1, rows.size())) {
            double[] second = values(baseline.histogram());
            StringBuilder line = new StringBuilder(String.format(NAME_FORMAT, "jipc / " + baseline.name()));
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
