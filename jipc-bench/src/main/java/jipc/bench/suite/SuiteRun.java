package jipc.bench.suite;

import java.util.List;

/**
 * Everything one {@code jipc bench} run produced: what the JSON file holds and the table, the comparison and the HTML
 * report read.
 *
 * @param format the version of this record's JSON form ({@value #FORMAT})
 * @param info when, where and how it ran
 * @param results the figures, in the order the steps produced them
 * @param failures the steps that failed (the run's exit code is non-zero if there are any)
 * @param paired the paired ratios the steps measured ({@link Paired}); absent (empty) in files of older runs
 */
public record SuiteRun(int format, RunInfo info, List<Result> results, List<StepFailure> failures,
        List<PairedRatio> paired) {
    /** The current JSON format version. */
    public static final int FORMAT = 1;

    public SuiteRun {
        results = List.copyOf(results);
        failures = List.copyOf(failures);
        paired = paired == null ? List.of() : List.copyOf(paired);
    }

    public SuiteRun(RunInfo info, List<Result> results, List<StepFailure> failures) {
        this(FORMAT, info, results, failures, List.of());
    }

    public SuiteRun(RunInfo info, List<Result> results, List<StepFailure> failures, List<PairedRatio> paired) {
        this(FORMAT, info, results, failures, paired);
    }

    /** Whether every step succeeded. */
    public boolean succeeded() {
        return failures.isEmpty();
    }
}
