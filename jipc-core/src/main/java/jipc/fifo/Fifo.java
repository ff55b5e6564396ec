package jipc.fifo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import jipc.ErrnoException;
import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.Native;
import jipc.io.BlockingCalls;
import jipc.io.Fd;
import jipc.io.FileStat;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;

/**
 * A named pipe: a FIFO special file through which unrelated processes exchange bytes, as through a pipe.
 *
 * <p>A {@code Fifo} is a name in the file system, not an open descriptor; {@code open*} methods return
 * {@link ReadEnd}/{@link WriteEnd}s that behave exactly like pipe ends (EOF when every writer closed, EPIPE when no
 * reader is left, PIPE_BUF atomicity, capacity). Opening follows {@code fifo(7)}:
 * <ul>
 *   <li>{@link #openRead()} blocks until some process opens the FIFO for writing, and {@link #openWrite()} until some
 *       process opens it for reading (these block in the kernel: not interruptible, and they pin a virtual thread's
 *       carrier);</li>
 *   <li>{@link #openReadNonBlocking()} returns at once; {@link #openWriteNonBlocking()} returns at once or throws
 *       {@link NoReaderException} (ENXIO) when there is no reader; {@link #openWrite(Duration)} retries that until
 *       a deadline.</li>
 * </ul>
 * Every open uses {@code O_NOFOLLOW | O_CLOEXEC} and checks with {@code fstat} that what it opened is a FIFO, so a
 * symbolic link or a regular file planted at the path is refused ({@link NotAFifoException}) instead of followed.
 */
public final class Fifo {
    /** The mode {@link #create(Path)} uses: read and write for the owner only. */
    public static final int DEFAULT_MODE = 0600;

    private final Path path;

    private Fifo(Path path) {
        this.path = path;
    }

    /**
     * Creates a FIFO at {@code path} with mode 0600. See {@link #create(Path, int)}.
     *
     * @param path where the FIFO goes; nothing may be there
     * @return the FIFO
     * @throws IOException {@link jipc.ErrnoException} EEXIST if something is at {@code path}, ENOENT if its directory
     *     is missing
     */
    public static Fifo create(Path path) throws IOException {
        return create(path, DEFAULT_MODE);
    }

    /**
     * Creates a FIFO ({@code mkfifo(3)}) with exactly {@code mode}: the process umask does not narrow it (the bits
     * are set again with {@code fchmodat(AT_SYMLINK_NOFOLLOW)} when the umask removed some).
     *
     * @param mode permission bits, {@code 0} to {@code 0777}
     * @param path where the FIFO goes; nothing may be there
     * @return the FIFO
     * @throws jipc.ErrnoException EEXIST if anything (FIFO or not) is already at {@code path}; ENOENT if the
     *                             directory does not exist; EACCES if it may not be written
     */
    public static Fifo create(Path path, int mode) throws IOException {
        String name = checkPath(path);
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode=0" + Integer.toOctalString(mode) + " has bits outside 0777");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(name);
            if (LibC.mkfifo(cPath, mode) < 0) {
                throw Errno.last("mkfifo", Errno.quote(name) + ", 0" + Integer.toOctalString(mode));
            }
            FileStat stat = FileStat.ofLink(name);
            if (stat.permissions() != mode
                    && LibC.fchmodat(Constants.AT_FDCWD, cPath, mode, Constants.AT_SYMLINK_NOFOLLOW) < 0) {
                ErrnoException e = Errno.last("fchmodat", Errno.quote(name) + ", 0" + Integer.toOctalString(mode));
                LibC.unlink(cPath);
                throw e;
            }
        }
        return new Fifo(path);
    }

    /**
     * An existing FIFO.
     *
     * @param path the FIFO's path
     * @return the FIFO
     * @throws jipc.ErrnoException ENOENT if nothing is at {@code path}
     * @throws NotAFifoException   if something else is there (including a symbolic link, which is never followed)
     */
    public static Fifo at(Path path) throws IOException {
        String name = checkPath(path);
        FileStat stat = FileStat.ofLink(name);
        if (!stat.isFifo()) {
            throw new NotAFifoException(name, stat.typeName());
        }
        return new Fifo(path);
    }

    /**
     * The FIFO's path.
     *
     * @return the path given to {@code create} or {@code at}
     */
    public Path path() {
        return path;
    }

    /**
     * Opens for reading; blocks until a writer opens the FIFO (see the class comment). On a virtual thread nothing
     * blocks a carrier: the FIFO is opened without waiting and the thread parks until a writer has written or come
     * and gone (the kernel offers no event for "a writer opened"), then the end is made blocking (it is this call's
     * own open file description, shared with nobody yet).
     *
     * @return the read end, blocking
     * @throws IOException {@link jipc.ErrnoException} from {@code open}, {@link NotAFifoException} if the path no
     *     longer holds a FIFO
     */
    public ReadEnd openRead() throws IOException {
        if (!Thread.currentThread().isVirtual()) {
            return new ReadEnd(open(Constants.O_RDONLY));
        }
        Fd fd = open(Constants.O_RDONLY | Constants.O_NONBLOCK);
        try {
            fd.awaitReadable(null);
            fd.setBlocking(true);
            return new ReadEnd(fd);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Opens for reading without waiting for a writer; the end is non-blocking (see {@link ReadEnd#setBlocking}).
     * Note that while no process has the FIFO open for writing, a read returns {@code -1} (EOF) on Linux, not
     * {@code 0}: "no writer yet" and "every writer left" look the same.
     *
     * @return the read end, non-blocking
     * @throws IOException {@link jipc.ErrnoException} from {@code open}, {@link NotAFifoException} if the path no
     *     longer holds a FIFO
     */
    public ReadEnd openReadNonBlocking() throws IOException {
        return new ReadEnd(open(Constants.O_RDONLY | Constants.O_NONBLOCK));
    }

    /**
     * Opens for writing; blocks until a reader opens the FIFO (see the class comment). On a virtual thread the open
     * runs on one of jipc's few platform threads for such calls ({@link jipc.io.BlockingCalls}) while the thread parks.
     *
     * @return the write end, blocking
     * @throws IOException {@link jipc.ErrnoException} from {@code open}, {@link NotAFifoException} if the path no
     *     longer holds a FIFO
     */
    public WriteEnd openWrite() throws IOException {
        return new WriteEnd(BlockingCalls.call(() -> open(Constants.O_WRONLY), Fd::close));
    }

    /**
     * Opens for writing without waiting; the end is non-blocking.
     *
     * @return the write end, non-blocking
     * @throws NoReaderException if no process has the FIFO open for reading (ENXIO)
     */
    public WriteEnd openWriteNonBlocking() throws IOException {
        try {
            return new WriteEnd(open(Constants.O_WRONLY | Constants.O_NONBLOCK));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENXIO) {
                throw new NoReaderException(e);
            }
            throw e;
        }
    }

    /**
     * Opens for writing, waiting at most {@code timeout} for a reader to appear (non-blocking opens retried with a
     * back-off from 1 to 50 ms). The returned end is blocking.
     *
     * @param timeout the longest wait for a reader, not {@code null}
     * @return the write end, blocking
     * @throws NoReaderException      if no reader appeared in time
     * @throws InterruptedIOException if the thread was interrupted while waiting
     */
    public WriteEnd openWrite(Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 1;
        for (;;) {
            try {
                WriteEnd end = openWriteNonBlocking();
                end.setBlocking(true);
                return end;
            } catch (NoReaderException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a reader of " + path);
            }
            pauseMillis = Math.min(50, pauseMillis * 2);
        }
    }

    /**
     * Removes the name ({@code unlink(2)}). Processes that have it open keep using it; new opens fail with ENOENT.
     *
     * @throws NotAFifoException if something other than a FIFO is now at the path (it is left alone)
     */
    public void unlink() throws IOException {
        String name = path.toString();
        FileStat stat = FileStat.ofLink(name);
        if (!stat.isFifo()) {
            throw new NotAFifoException(name, stat.typeName());
        }
        try (Arena arena = Arena.ofConfined()) {
            if (LibC.unlink(arena.allocateFrom(name)) < 0) {
                throw Errno.last("unlink", Errno.quote(name));
            }
        }
    }

    /**
     * Removes the FIFO if it is there; {@code false} if nothing was at the path. Refuses non-FIFOs like
     * {@link #unlink()}.
     *
     * @return {@code true} if a FIFO was removed, {@code false} if nothing was at the path
     * @throws IOException {@link NotAFifoException} if something else is there, {@link jipc.ErrnoException} from
     *     {@code unlink}
     */
    public boolean unlinkIfExists() throws IOException {
        try {
            unlink();
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    private Fd open(int flags) throws IOException {
        String name = path.toString();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(name);
            for (;;) {
                fd = LibC.open(cPath, flags | Constants.O_NOFOLLOW | Constants.O_CLOEXEC | Constants.O_NOCTTY, 0);
                if (fd >= 0) {
                    break;
                }
                int errno = Native.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.ELOOP) {
                    // O_NOFOLLOW refused the last component: someone put a symbolic link where the FIFO was.
                    throw new NotAFifoException(name, "symbolic link",
                            "open with O_NOFOLLOW failed: ELOOP (" + Errno.description(errno) + ")");
                }
                throw Errno.exception("open", Errno.quote(name) + ", " + describe(flags), errno);
            }
        }
        Fd owned = Fd.adopt(fd);
        try {
            FileStat stat = owned.stat();
            if (!stat.isFifo()) {
                throw new NotAFifoException(name, stat.typeName());
            }
            return owned;
        } catch (IOException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    private static String describe(int flags) {
        String access = (flags & Constants.O_WRONLY) != 0 ? "O_WRONLY" : "O_RDONLY";
        return (flags & Constants.O_NONBLOCK) != 0 ? access + "|O_NONBLOCK" : access;
    }

    private static String checkPath(Path path) {
        Objects.requireNonNull(path, "path");
        String name = path.toString();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains NUL: " + name.replace("\0", "\\0"));
        }
        return name;
    }

    @Override
    public String toString() {
        return "Fifo[" + path + "]";
    }
}
