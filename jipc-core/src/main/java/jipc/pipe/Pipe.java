package jipc.pipe;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.io.Fd;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An anonymous pipe: a one-way byte stream inside the kernel, with a {@link #source() read end} and a
 * {@link #sink() write end}.
 *
 * <p>The classic use is between a parent and a child: create the pipe, hand one end to a child process with
 * {@code jipc.process.Spawn#fd(int, jipc.io.HasFd)} (which closes the parent's copy once the child runs), keep the
 * other. Close every copy of an end you do not use, or the reader never sees EOF.
 * <ul>
 *   <li>A reader sees EOF ({@code -1}) only after every write end in every process is closed.</li>
 *   <li>A writer gets {@link jipc.BrokenPipeException} (EPIPE) once no read end is left.</li>
 *   <li>Writes of at most {@link WriteEnd#PIPE_BUF} (4096) bytes are atomic among several writers.</li>
 *   <li>The capacity is 64 KiB by default; {@link #setCapacity(int)} changes it (rounded by the kernel).</li>
 * </ul>
 *
 * <p>Costs: {@link #open()} is one {@code pipe2(2)} call and two descriptors; each read or write is one system call.
 * Both ends are created with {@code O_CLOEXEC}: they reach a child only when placed there on purpose.
 */
public final class Pipe implements AutoCloseable {
    private final ReadEnd source;
    private final WriteEnd sink;

    private Pipe(ReadEnd source, WriteEnd sink) {
        this.source = source;
        this.sink = sink;
    }

    /**
     * Creates a pipe with {@code pipe2(O_CLOEXEC)}; both ends blocking.
     *
     * @return the pipe; close it to close both ends still open here
     * @throws IOException {@link jipc.ErrnoException} EMFILE/ENFILE when the process or system is out of descriptors
     */
    public static Pipe open() throws IOException {
        return open(false);
    }

    /**
     * Creates a pipe with {@code pipe2(O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0))}.
     *
     * @param nonBlocking {@code true} for {@code O_NONBLOCK} on both ends
     * @return the pipe; close it to close both ends still open here
     * @throws jipc.ErrnoException EMFILE/ENFILE when the process or system is out of descriptors
     */
    public static Pipe open(boolean nonBlocking) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int flags = Constants.O_CLOEXEC | (nonBlocking ? Constants.O_NONBLOCK : 0);
            if (LibC.pipe2(fds, flags) < 0) {
                throw Errno.last("pipe2", nonBlocking ? "O_CLOEXEC|O_NONBLOCK" : "O_CLOEXEC");
            }
            return new Pipe(new ReadEnd(Fd.adopt(fds.getAtIndex(JAVA_INT, 0))),
                    new WriteEnd(Fd.adopt(fds.getAtIndex(JAVA_INT, 1))));
        }
    }

    /**
     * The read end ({@code pipefd[0]}).
     *
     * @return the read end, the same object on every call
     */
    public ReadEnd source() {
        return source;
    }

    /**
     * The write end ({@code pipefd[1]}).
     *
     * @return the write end, the same object on every call
     */
    public WriteEnd sink() {
        return sink;
    }

    /**
     * The pipe's capacity in bytes ({@code F_GETPIPE_SZ}), asked through whichever end is still open.
     *
     * @return the capacity in bytes
     * @throws IOException {@link jipc.ErrnoException} if {@code fcntl} fails,
     *     {@link java.nio.channels.ClosedChannelException} if both ends are closed
     */
    public int capacity() throws IOException {
        return source.isOpen() ? source.pipeCapacity() : sink.pipeCapacity();
    }

    /**
     * Resizes the pipe ({@code F_SETPIPE_SZ}) and returns the capacity the kernel chose (a power-of-two number of
     * pages, at least what was asked). See {@link jipc.io.End#setPipeCapacity(int)} for the errors.
     *
     * @param bytes the capacity wanted, at least 1
     * @return the capacity the kernel chose, in bytes
     * @throws IOException as {@link jipc.io.End#setPipeCapacity(int)} says
     */
    public int setCapacity(int bytes) throws IOException {
        return source.isOpen() ? source.setPipeCapacity(bytes) : sink.setPipeCapacity(bytes);
    }

    /** Closes whichever ends this process still holds. Idempotent. */
    @Override
    public void close() {
        source.close();
        sink.close();
    }

    @Override
    public String toString() {
        return "Pipe[source=" + source + ", sink=" + sink + "]";
    }
}
