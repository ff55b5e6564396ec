package jipc;

/**
 * A write to a pipe or FIFO failed with {@code EPIPE}: every read end is closed, so no process can ever read
 * what would be written. The JVM ignores {@code SIGPIPE}, so this exception is how a writer learns that its reader
 * has gone; it is never a crash.
 */
public final class BrokenPipeException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    /**
     * A write that failed with EPIPE (errno 32).
     *
     * @param syscall the C function that failed, e.g. {@code "write"}
     * @param argument what it was called on, already formatted
     * @param description the C library's description of EPIPE
     */
    public BrokenPipeException(String syscall, String argument, String description) {
        super(syscall, argument, 32, "EPIPE", description);
    }
}
