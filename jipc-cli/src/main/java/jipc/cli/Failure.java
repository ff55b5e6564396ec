package jipc.cli;

/**
 * A command could not do its job for a reason it explains itself (a demo's child failed, fd 0 is not a pipe...).
 * {@link ExitCodes} prints the message as one line and exits with {@link #exitCode()}, one of its constants.
 */
public final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public Failure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
