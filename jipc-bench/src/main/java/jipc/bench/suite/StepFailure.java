package jipc.bench.suite;

/**
 * A step of a {@code jipc bench} run that threw instead of returning results: the run reports it, goes on with the
 * next step and exits non-zero at the end.
 *
 * @param step the step's name (or {@code "steps of ID"} if a benchmark could not even list its steps)
 * @param error the exception's class and message, e.g. {@code "IOException: gcc ... failed: exit 1"}
 */
public record StepFailure(String step, String error) {
    /** The failure of {@code step} by {@code cause}. */
    public static StepFailure of(String step, Throwable cause) {
        String message = cause.getMessage();
        return new StepFailure(step, cause.getClass().getSimpleName()
                + (message == null || message.isBlank() ? "" : ": " + message));
    }
}
