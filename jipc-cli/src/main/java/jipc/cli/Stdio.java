package jipc.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import jipc.io.Fd;

/**
 * This process's inherited descriptors (standard input and output, or an fd a shell placed), and copying between
 * descriptors.
 */
public final class Stdio {
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(200);

    private Stdio() {
    }

    /**
     * A new descriptor for this process's {@code number} ({@code fcntl(F_DUPFD_CLOEXEC)}). Closing it leaves
     * {@code number} itself open, so {@code System.in}, {@code System.out} and {@code System.err} keep working.
     *
     * @throws jipc.ErrnoException EBADF if {@code number} is not open
     */
    public static Fd duplicate(int number) throws IOException {
        // The adopted Fd is never closed: it only names the number so that it can be duplicated.
        return Fd.adopt(number).duplicate();
    }

    /** A check that may make a system call. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws IOException;
    }

    /** Copies from {@code from} to {@code to} until end of file; returns the bytes copied. */
    public static long copy(Fd from, Fd to) throws IOException {
        return copy(from, to, () -> true);
    }

    /**
     * Copies from {@code from} to {@code to} until end of file, or until {@code from} has had nothing to read for a
     * while and {@code stillWanted} says the copy is no longer needed (checked every 200 ms of idle input).
     * Direct buffer: each chunk goes kernel to Java memory to kernel, no heap copy; up to 64 KiB per {@code read}.
     *
     * @return the bytes copied
     */
    public static long copy(Fd from, Fd to, Condition stillWanted) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
        long total = 0;
        for (;;) {
            if (!from.awaitReadable(CHECK_INTERVAL)) {
                if (!stillWanted.holds()) {
                    return total;
                }
                continue;
            }
            buffer.clear();
            int n = from.read(buffer);
            if (n < 0) {
                return total;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                if (to.write(buffer) == 0) {
                    to.awaitWritable(null); // a non-blocking target that is full: wait for room
                }
            }
            total += n;
        }
    }
}
