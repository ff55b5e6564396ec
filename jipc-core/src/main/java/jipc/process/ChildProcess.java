package jipc.process;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Optional;

import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.Native;
import jipc.io.Fd;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A child process started by {@link Spawn}.
 *
 * <p>The handle holds a pidfd ({@code pidfd_open(2)}) for the child, so signals go to that very process even if its
 * pid is reused after it dies, and waiting is a {@code poll(2)} on the pidfd in slices of at most 100 ms that notice
 * {@link Thread#interrupt()}. The child is reaped ({@code waitpid}) by whichever {@code waitFor} sees it end.
 * {@link #close()} kills a child that is still running and reaps it, so a forgotten child never outlives its handle
 * as a zombie.
 */
public final class ChildProcess implements AutoCloseable {
    private final int pid;
    private final Fd pidfd;
    private final String command;
    private ExitStatus status; // guarded by this

    ChildProcess(int pid, Fd pidfd, String command) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.command = command;
    }

    /**
     * The child's process id.
     *
     * @return the pid in this process's pid namespace
     */
    public int pid() {
        return pid;
    }

    /**
     * Whether the child is still running (not yet ended, or ended but not yet reaped and checked now).
     *
     * @return {@code true} while the child runs (a {@code poll} of its pidfd)
     * @throws IOException {@link jipc.ErrnoException} if {@code poll} or {@code waitid} fails
     */
    public boolean isAlive() throws IOException {
        return waitFor(Duration.ZERO).isEmpty();
    }

    /**
     * Waits for the child to end and returns how it ended.
     *
     * @return the exit code, or the signal that killed it
     * @throws IOException {@link jipc.ErrnoException} if {@code waitid} fails
     * @throws InterruptedException if the thread is interrupted while waiting; the child runs on
     */
    public ExitStatus waitFor() throws IOException, InterruptedException {
        try {
            return waitFor(null).orElseThrow();
        } catch (InterruptedIOException e) {
            throw new InterruptedException(e.getMessage());
        }
    }

    /**
     * Waits at most {@code timeout} for the child to end.
     *
     * @param timeout how long to wait; {@code Duration.ZERO} only checks; {@code null} waits without limit
     * @return how it ended, or empty if it still runs when the time is up
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    public Optional<ExitStatus> waitFor(Duration timeout) throws IOException {
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        for (;;) {
            synchronized (this) {
                if (status != null) {
                    return Optional.of(status);
                }
                ExitStatus reaped = reapIfEnded();
                if (reaped != null) {
                    status = reaped;
                    pidfd.close();
                    return Optional.of(status);
                }
            }
            Duration left = timeout == null ? null : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (left != null && left.isZero()) {
                return Optional.empty();
            }
            // Wait without holding the lock, so that signal()/destroy() from another thread are not held up.
            try {
                pidfd.awaitReadable(left); // the pidfd becomes readable when the child ends
            } catch (ClosedChannelException e) {
                // another thread reaped the child meanwhile and closed the pidfd: its status is set
            }
        }
    }

    private ExitStatus reapIfEnded() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment wstatus = arena.allocate(JAVA_INT);
            for (;;) {
                int r = LibC.waitpid(pid, wstatus, Constants.WNOHANG);
                if (r == pid) {
                    return ExitStatus.fromWaitStatus(wstatus.get(JAVA_INT, 0));
                }
                if (r == 0) {
                    return null;
                }
                int errno = Native.errno();
                if (errno != Errno.EINTR) {
                    throw Errno.exception("waitpid", String.valueOf(pid), errno);
                }
            }
        }
    }

    /**
     * Sends {@code signal} to the child (through its pidfd, so never to a stranger who reused the pid).
     *
     * @param signal the signal number, e.g. 15 for {@code SIGTERM}
     * @throws IOException {@link jipc.ErrnoException} from {@code pidfd_send_signal} (ESRCH once the child is reaped)
     */
    public synchronized void signal(int signal) throws IOException {
        if (status != null) {
            return; // already reaped: nothing to signal, and the pid may belong to someone else now
        }
        int number = pidfd.acquire();
        try {
            if (LibC.pidfdSendSignal(number, signal) < 0) {
                int errno = Native.errno();
                if (errno != Errno.ESRCH) { // ESRCH: it has ended but is not reaped yet
                    throw Errno.exception("pidfd_send_signal", "pid " + pid + ", signal " + signal, errno);
                }
            }
        } finally {
            pidfd.release();
        }
    }

    /**
     * Asks the child to end ({@code SIGTERM}).
     *
     * @throws IOException {@link jipc.ErrnoException} from {@code pidfd_send_signal}
     */
    public void destroy() throws IOException {
        signal(Constants.SIGTERM);
    }

    /**
     * Kills the child ({@code SIGKILL}).
     *
     * @throws IOException {@link jipc.ErrnoException} from {@code pidfd_send_signal}
     */
    public void destroyForcibly() throws IOException {
        signal(Constants.SIGKILL);
    }

    /**
     * The status once the child has been reaped by a {@code waitFor}, otherwise empty.
     *
     * @return the status, or empty while the child runs or has not been waited for
     */
    public synchronized Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(status);
    }

    /** Kills the child if it still runs, reaps it and releases the pidfd. Idempotent. */
    @Override
    public void close() throws IOException {
        if (waitFor(Duration.ZERO).isPresent()) {
            return;
        }
        destroyForcibly();
        waitFor(null);
    }

    @Override
    public String toString() {
        return "ChildProcess[pid " + pid + ", " + command + "]";
    }
}
