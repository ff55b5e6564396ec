package jipc.io;

import java.io.IOException;
import java.nio.channels.Channel;
import java.util.Objects;

import jipc.internal.Constants;

/**
 * One end of a byte stream between processes: a pipe end or an opened FIFO. An end owns its {@link Fd}; closing the
 * end closes the descriptor (idempotent, race-safe).
 */
public abstract sealed class End implements Channel, HasFd permits ReadEnd, WriteEnd {
    final Fd fd;

    End(Fd fd) {
        Objects.requireNonNull(fd, "fd");
        this.fd = fd;
    }

    @Override
    public final Fd fd() {
        return fd;
    }

    @Override
    public final boolean isOpen() {
        return fd.isOpen();
    }

    /** Closes this end. Idempotent. The other process sees EOF (if this was the last writer) or EPIPE (last reader). */
    @Override
    public final void close() {
        fd.close();
    }

    /**
     * See {@link Fd#setBlocking(boolean)}; the flag is shared with every duplicate of this end.
     *
     * @param blocking {@code false} to set {@code O_NONBLOCK}
     * @throws IOException {@link jipc.ErrnoException} if {@code fcntl} fails, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public final void setBlocking(boolean blocking) throws IOException {
        fd.setBlocking(blocking);
    }

    /**
     * Whether reads and writes on this end block (no {@code O_NONBLOCK}); see {@link Fd#isBlocking()}.
     *
     * @return {@code true} if they block
     * @throws IOException {@link jipc.ErrnoException} if {@code fcntl} fails, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public final boolean isBlocking() throws IOException {
        return fd.isBlocking();
    }

    /**
     * The capacity of the pipe this end belongs to, in bytes ({@code fcntl(F_GETPIPE_SZ)}); 65 536 by default on Linux.
     *
     * @return the capacity in bytes
     * @throws IOException {@link jipc.ErrnoException} if {@code fcntl} fails, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public final int pipeCapacity() throws IOException {
        return fd.fcntl(Constants.F_GETPIPE_SZ, 0, "F_GETPIPE_SZ");
    }

    /**
     * Asks the kernel to resize the pipe ({@code fcntl(F_SETPIPE_SZ)}) and returns the capacity it actually chose:
     * Linux rounds up to a power-of-two number of pages (at least one page), so asking for 1000 bytes gives 4096.
     *
     * @param bytes the capacity wanted, at least 1
     * @return the capacity the kernel chose, in bytes
     * @throws IllegalArgumentException if {@code bytes < 1}
     * @throws jipc.ErrnoException EPERM above {@code /proc/sys/fs/pipe-max-size} for an unprivileged process,
     *                             EBUSY if the pipe holds more data than the new size, EINVAL if the size is too
     *                             large for the kernel to represent
     */
    public final int setPipeCapacity(int bytes) throws IOException {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes=" + bytes + " < 1");
        }
        return fd.fcntl(Constants.F_SETPIPE_SZ, bytes, "F_SETPIPE_SZ, " + bytes);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[fd " + fd.number() + (isOpen() ? "" : ", closed") + "]";
    }
}
