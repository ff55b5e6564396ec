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

    /** Takes ownership of {@code fd}. */
    public WriteEnd(Fd fd) {
        super(fd);
    }

    /**
     * The write end that a parent placed in this process at {@code number}, marked close-on-exec from now on.
     */
    public static WriteEnd inherit(int number) throws ErrnoException {
        return new WriteEnd(Fd.inherit(number));
    }

    /** One {@code write(2)}: the number of bytes written, {@code 0} if non-blocking and full. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        return fd.write(src);
    }

    /** One {@code write(2)} from a segment: the number of bytes written, {@code 0} if non-blocking and full. */
    public int write(MemorySegment src) throws IOException {
        return fd.write(src);
    }

    /** Writes every remaining byte of {@code src}, waiting for room in either mode. */
    public void writeFully(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        while (src.hasRemaining()) {
            if (fd.write(src) == 0) {
                fd.awaitWritable(null);
            }
        }
    }

    /** Writes all of {@code bytes}, waiting for room in either mode. */
    public void writeFully(byte[] bytes) throws IOException {
        writeFully(ByteBuffer.wrap(Objects.requireNonNull(bytes, "bytes")));
    }

    /** Waits until a write would not block (room, or no reader left). {@code null} = no limit; {@code false} = timeout. */
    public boolean awaitWritable(Duration timeout) throws IOException {
        return fd.awaitWritable(timeout);
    }

    /** An {@link OutputStream} over this end: writes wait for room even in non-blocking mode; close closes the end. */
    public OutputStream outputStream() {
        return new FdOutputStream(fd);
    }
}
