package jipc.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import jipc.io.ReadEnd;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * A started child whose stdout and stderr go into pipes that two threads of this process drain, so that a test can
 * talk to the child and then collect everything it printed with {@link #finish()}, never waiting without a deadline.
 *
 * <p>{@link #close()} kills the child if it still runs, reaps it and closes every pipe end (idempotent), so a
 * failing test leaves neither a process nor a descriptor behind.
 */
public final class Capture implements AutoCloseable {
    /** How long {@link #finish()} waits for the child's output to end and for the child to exit. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ChildProcess child;
    private final Drain out;
    private final Drain err;

    private Capture(ChildProcess child, Drain out, Drain err) {
        this.child = child;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code spawn} with {@code /dev/null} on stdin and captured stdout/stderr. */
    public static Capture start(Spawn spawn) throws IOException {
        return startKeepingStdin(spawn.nullFd(0));
    }

    /** Starts {@code spawn} with captured stdout/stderr; stdin as the caller placed it. */
    public static Capture startKeepingStdin(Spawn spawn) throws IOException {
        Pipe out = Pipe.open();
        Pipe err = Pipe.open();
        ChildProcess child;
        try {
            child = spawn.fd(1, out.sink()).fd(2, err.sink()).start();
        } catch (IOException | RuntimeException e) {
            out.close();
            err.close();
            throw e;
        }
        return new Capture(child, new Drain(out.source(), "stdout of " + child),
                new Drain(err.source(), "stderr of " + child));
    }

    /** Runs {@code spawn} to its end ({@code /dev/null} on stdin) and returns what it printed. */
    public static Result run(Spawn spawn) throws IOException {
        try (Capture capture = start(spawn)) {
            return capture.finish();
        }
    }

    public ChildProcess child() {
        return child;
    }

    /** What the child has printed on stdout so far. */
    public String outSoFar() {
        return out.text();
    }

    /** Waits (at most {@link #TIMEOUT}) for the child to close its output and exit. */
    public Result finish() throws IOException {
        return finish(TIMEOUT);
    }

    /** Waits (at most {@code timeout}) for the child to close its output and exit. */
    public Result finish(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        out.join(deadline);
        err.join(deadline);
        Optional<ExitStatus> status = child.waitFor(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (status.isEmpty()) {
            throw new AssertionError(child + " did not exit within " + timeout + "; stdout: " + out.text()
                    + "; stderr: " + err.text());
        }
        return new Result(status.get(), out.text(), err.text());
    }

    @Override
    public void close() throws IOException {
        try {
            child.close();
        } finally {
            out.stop();
            err.stop();
        }
    }

    /**
     * How a captured child ended and what it printed.
     *
     * @param status how it ended
     * @param out    its stdout (UTF-8)
     * @param err    its stderr (UTF-8)
     */
    public record Result(ExitStatus status, String out, String err) {
        /** Fails with the child's output in the message unless it exited with code 0. */
        public Result assertSuccess() {
            if (!status.success()) {
                throw new AssertionError("child ended with " + status + "; stdout: " + out + "; stderr: " + err);
            }
            return this;
        }
    }

    /** A platform thread reading one pipe until EOF, in non-blocking mode with bounded waits so it can be stopped. */
    private static final class Drain {
        private final ReadEnd end;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;
        private volatile boolean stop;
        private volatile IOException failure;

        Drain(ReadEnd end, String what) throws IOException {
            this.end = end;
            end.setBlocking(false);
            this.thread = Thread.ofPlatform().daemon().name("drain " + what).start(this::run);
        }

        private void run() {
            ByteBuffer buffer = ByteBuffer.allocateDirect(8192);
            try {
                while (!stop) {
                    buffer.clear();
                    int n = end.read(buffer);
                    if (n < 0) {
                        return;
                    }
                    if (n == 0) {
                        end.awaitReadable(Duration.ofMillis(50));
                        continue;
                    }
                    buffer.flip();
                    synchronized (bytes) {
                        while (buffer.hasRemaining()) {
                            bytes.write(buffer.get());
                        }
                    }
                }
            } catch (IOException e) {
                failure = e;
            } finally {
                end.close();
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        void join(long deadlineNanos) {
            try {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    throw new AssertionError(thread.getName() + " did not reach EOF in time; so far: " + text());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (failure != null) {
                throw new UncheckedIOException(thread.getName(), failure);
            }
        }

        void stop() {
            stop = true;
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            end.close();
        }
    }
}
