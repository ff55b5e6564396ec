package jipc.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.Objects;

import jipc.ErrnoException;

/**
 * The reading end of a pipe or FIFO.
 *
 * <p>{@link #read(ByteBuffer)} follows the pipe rules of {@code read(2)}: it returns what is there (possibly less
 * than asked), blocks while the pipe is empty and a writer exists (in blocking mode), and returns {@code -1} only
 * when every write end in every process is closed. In non-blocking mode an empty pipe gives {@code 0}.
 */
public final class ReadEnd extends End implements ReadableByteChannel {

    /**
     * Takes ownership of {@code fd}.
     *
     * @param fd the descriptor of a pipe's or FIFO's read end
     */
    public ReadEnd(Fd fd) {
        super(fd);
    }

    /**
     * The read end that a parent placed in this process at {@code number} (e.g. 3), marked close-on-exec from now on.
     *
     * @param number the inherited descriptor's number
     * @return the read end, owning the descriptor
     * @throws ErrnoException with EBADF if nothing is open at {@code number}
     */
    public static ReadEnd inherit(int number) throws ErrnoException {
        return new ReadEnd(Fd.inherit(number));
    }

    /** One {@code read(2)}: bytes read, {@code -1} at EOF, {@code 0} if non-blocking and empty. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        return fd.read(dst);
    }

    /**
     * One {@code read(2)} into a segment: bytes read, {@code -1} at EOF, {@code 0} if non-blocking and empty.
     *
     * @param dst where the bytes go, up to its size
     * @return the number of bytes read, {@code -1} at end of file, {@code 0} if non-blocking and empty
     * @throws IOException {@link jipc.ErrnoException} if {@code read} fails,
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public int read(MemorySegment dst) throws IOException {
        return fd.read(dst);
    }

    /**
     * Reads until {@code dst} is full, waiting for data in either mode.
     *
     * @param dst the buffer to fill, from its position to its limit
     * @throws EOFException if every writer closed before {@code dst} was full ({@code dst}'s position tells how much
     *                      arrived)
     */
    public void readFully(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        while (dst.hasRemaining()) {
            int n = fd.read(dst);
            if (n < 0) {
                throw new EOFException("end of stream after " + dst.position() + " bytes, "
                        + dst.remaining() + " more expected");
            }
            if (n == 0) {
                fd.awaitReadable(null);
            }
        }
    }

    /**
     * Reads everything until EOF (every writer closed) and returns it. Waits for data in either mode.
     *
     * @return every byte until end of file
     * @throws IOException {@link jipc.ErrnoException} if {@code read} fails,
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public byte[] readAllBytes() throws IOException {
        return inputStream().readAllBytes();
    }

    /**
     * Waits until a read would not block (data or EOF). {@code null} waits without limit; {@code false} = timeout.
     *
     * @param timeout the longest wait; {@code null} waits as long as it takes
     * @return {@code true} if readable, {@code false} if the time ran out
     * @throws IOException {@link jipc.ErrnoException} if {@code poll} fails,
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public boolean awaitReadable(Duration timeout) throws IOException {
        return fd.awaitReadable(timeout);
    }

    /**
     * Bytes waiting in the pipe now ({@code ioctl(FIONREAD)}).
     *
     * @return the number of bytes, {@code >= 0}
     * @throws IOException {@link jipc.ErrnoException} if {@code ioctl} fails,
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public int available() throws IOException {
        return fd.available();
    }

    /**
     * An {@link InputStream} over this end: reads wait for data even in non-blocking mode, {@code -1} at EOF,
     * and closing the stream closes the end.
     *
     * @return a new stream, not buffered: each {@code read} returns what one {@code read(2)} gave
     */
    public InputStream inputStream() {
        return new FdInputStream(fd);
    }
}
