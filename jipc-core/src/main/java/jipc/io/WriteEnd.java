package jipc.io;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.Objects;

import jipc.ErrnoException;

/**
 * The writing end of a pipe or FIFO.
 *
 * <p>Writes of at most {@link #PIPE_BUF} bytes are atomic: with several writers, they are never interleaved with
 * other writers' bytes. In blocking mode a larger write blocks until every byte is in; in non-blocking mode a write
 * takes what fits and returns the count ({@code 0} when the pipe is full). Writing when no read end is open anywhere
 * throws {@link jipc.BrokenPipeException} (EPIPE).
 */
public final class WriteEnd extends End implements WritableByteChannel {

    /** {@code PIPE_BUF} on Linux: the largest write that the kernel never interleaves with another writer's. */
    public static final int PIPE_BUF = 4096;

    /**
     * Takes ownership of {@code fd}.
     *
     * @param fd the descriptor of a pipe's or FIFO's write end
     */
    public WriteEnd(Fd fd) {
        super(fd);
    }

    /**
     * The write end that a parent placed in this process at {@code number}, marked close-on-exec from now on.
     *
     * @param number the inherited descriptor's number
     * @return the write end, owning the descriptor
     * @throws ErrnoException with EBADF if nothing is open at {@code number}
     */
    public static WriteEnd inherit(int number) throws ErrnoException {
        return new WriteEnd(Fd.inherit(number));
    }

    /** One {@code write(2)}: the number of bytes written, {@code 0} if non-blocking and full. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        return fd.write(src);
    }

    /**
     * One {@code write(2)} from a segment: the number of bytes written, {@code 0} if non-blocking and full.
     *
     * @param src the bytes to write
     * @return the number of bytes written, {@code 0} if non-blocking and full
     * @throws IOException {@link jipc.BrokenPipeException} if no reader is left, {@link jipc.ErrnoException} for other
     *     failures
     */
    public int write(MemorySegment src) throws IOException {
        return fd.write(src);
    }

    /**
     * Writes every remaining byte of {@code src}, waiting for room in either mode.
     *
     * @param src the buffer whose remaining bytes to write; its position ends at its limit
     * @throws IOException {@link jipc.BrokenPipeException} if no reader is left, {@link jipc.ErrnoException} for other
     *     failures
     */
    public void writeFully(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        while (src.hasRemaining()) {
            if (fd.write(src) == 0) {
                fd.awaitWritable(null);
            }
        }
    }

    /**
     * Writes all of {@code bytes}, waiting for room in either mode.
     *
     * @param bytes the bytes to write
     * @throws IOException {@link jipc.BrokenPipeException} if no reader is left, {@link jipc.ErrnoException} for other
     *     failures
     */
    public void writeFully(byte[] bytes) throws IOException {
        writeFully(ByteBuffer.wrap(Objects.requireNonNull(bytes, "bytes")));
    }

    /**
     * Waits until a write would not block (room, or no reader left). {@code null} = no limit; {@code false} = timeout.
     *
     * @param timeout the longest wait; {@code null} waits as long as it takes
     * @return {@code true} if writable, {@code false} if the time ran out
     * @throws IOException {@link jipc.ErrnoException} if {@code poll} fails,
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public boolean awaitWritable(Duration timeout) throws IOException {
        return fd.awaitWritable(timeout);
    }

    /**
     * An {@link OutputStream} over this end: writes wait for room even in non-blocking mode; close closes the end.
     *
     * @return a new stream (not buffered: each {@code write} goes to the pipe at once)
     */
    public OutputStream outputStream() {
        return new FdOutputStream(fd);
    }
}
