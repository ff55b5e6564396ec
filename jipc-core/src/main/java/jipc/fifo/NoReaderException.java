package jipc.fifo;

import jipc.ErrnoException;

/**
 * A non-blocking open of a FIFO for writing found no process with it open for reading ({@code ENXIO}).
 * Retry later, open blocking (which waits for a reader), or use {@link Fifo#openWrite(java.time.Duration)}.
 */
public final class NoReaderException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    NoReaderException(ErrnoException cause) {
        super(cause.syscall(), cause.argument(), cause.errno(), cause.errnoName(),
                "No such device or address: no process has the FIFO open for reading");
        initCause(cause);
    }
}
