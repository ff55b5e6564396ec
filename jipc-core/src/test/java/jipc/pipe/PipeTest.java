package jipc.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.BrokenPipeException;
import jipc.ErrnoException;
import jipc.io.WriteEnd;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.testing.Background;
import org.junit.jupiter.api.Test;

/** Pipe semantics with real processes on the other end: EOF, EPIPE, non-blocking reads and writes, waiting. */
class PipeTest {
    private static final Duration LONG = Duration.ofSeconds(20);
    private static final Duration SHORT = Duration.ofMillis(50);

    @Test
    void readerSeesEofOnlyAfterEveryWriterClosed() throws Exception {
        try (Pipe data = Pipe.open(); Pipe control1 = Pipe.open(); Pipe control2 = Pipe.open()) {
            // Two cat processes each hold a write end of `data` at fd 3 and live until their stdin reaches EOF.
            try (ChildProcess writer1 = holdWriteEnd(control1, Spawn.command("cat").shareFd(3, data.sink()));
                 ChildProcess writer2 = holdWriteEnd(control2, Spawn.command("cat").fd(3, data.sink()))) {
                assertFalse(data.sink().isOpen(), "the parent gave its write end away");
                data.source().setBlocking(false);
                ByteBuffer buffer = ByteBuffer.allocate(16);
                assertEquals(0, data.source().read(buffer), "two writers alive: nothing now, not EOF");

                control1.sink().close();
                assertTrue(writer1.waitFor(LONG).orElseThrow().success());
                assertEquals(0, data.source().read(buffer), "one writer still alive: nothing now, not EOF");
                assertFalse(data.source().awaitReadable(SHORT), "not readable while a writer lives");

                control2.sink().close();
                assertTrue(writer2.waitFor(LONG).orElseThrow().success());
                assertTrue(data.source().awaitReadable(LONG), "EOF makes the read end readable");
                assertEquals(-1, data.source().read(buffer), "EOF after the last writer exited");
            }
        }
    }

    private static ChildProcess holdWriteEnd(Pipe control, Spawn spawn) throws Exception {
        return spawn.fd(0, control.source()).nullFd(1).nullFd(2).start();
    }

    @Test
    void writingAfterTheOnlyReaderExitedThrowsBrokenPipeNamingWriteAndFd() throws Exception {
        try (Pipe pipe = Pipe.open();
             ChildProcess reader = Spawn.command("true").fd(0, pipe.source()).nullFd(1).nullFd(2).start()) {
            assertTrue(reader.waitFor(LONG).orElseThrow().success());
            int fd = pipe.sink().fd().number();
            assertTrue(pipe.sink().awaitWritable(LONG), "a pipe without readers polls as writable (POLLERR)");

            BrokenPipeException e = assertThrows(BrokenPipeException.class,
                    () -> pipe.sink().write(ByteBuffer.wrap("too late".getBytes(StandardCharsets.UTF_8))));
            assertInstanceOf(ErrnoException.class, e);
            assertEquals(32, e.errno());
            assertEquals("EPIPE", e.errnoName());
            assertEquals("write", e.syscall());
            assertEquals("write(fd " + fd + ") failed: EPIPE (Broken pipe)", e.getMessage());
            assertThrows(BrokenPipeException.class, () -> pipe.sink().outputStream().write(1), "streams too");
        }
    }

    @Test
    void emptyNonBlockingReadReturnsZeroAndAwaitTimesOut() throws Exception {
        try (Pipe pipe = Pipe.open(true)) {
            assertFalse(pipe.source().isBlocking());
            assertEquals(0, pipe.source().read(ByteBuffer.allocate(8)));
            long start = System.nanoTime();
            assertFalse(pipe.source().awaitReadable(SHORT));
            assertTrue(System.nanoTime() - start >= SHORT.toNanos() - 1_000_000, "returned before the timeout");
            assertFalse(pipe.source().awaitReadable(Duration.ZERO));
        }
    }

    @Test
    void fillingANonBlockingPipeGivesAShortWriteThenZero() throws Exception {
        try (Pipe pipe = Pipe.open(true)) {
            int capacity = pipe.capacity();
            ByteBuffer big = ByteBuffer.allocateDirect(capacity + 10_000);
            int written = pipe.sink().write(big);
            assertEquals(capacity, written, "a write larger than the room left is cut short, not refused");
            assertEquals(capacity, big.position());
            assertEquals(0, pipe.sink().write(big), "full: nothing now (EAGAIN)");
            assertFalse(pipe.sink().awaitWritable(SHORT), "full pipe is not writable");

            ByteBuffer page = ByteBuffer.allocate(WriteEnd.PIPE_BUF);
            pipe.source().readFully(page);
            assertTrue(pipe.sink().awaitWritable(Duration.ZERO), "a freed page makes room");
        }
    }

    @Test
    void aSmallNonBlockingWriteThatDoesNotFitWritesNothing() throws Exception {
        try (Pipe pipe = Pipe.open(true)) {
            int capacity = pipe.capacity();
            pipe.sink().writeFully(new byte[capacity - 100]); // 100 bytes of room left in the last page
            int before = pipe.source().available();
            // PIPE_BUF atomicity: a write of at most 4096 bytes goes in whole or not at all
            assertEquals(0, pipe.sink().write(ByteBuffer.allocate(200)));
            assertEquals(before, pipe.source().available());
            assertEquals(100, pipe.sink().write(ByteBuffer.allocate(100)));
        }
    }

    @Test
    void awaitReadableWakesWhenAnotherProcessWrites() throws Exception {
        try (Pipe control = Pipe.open(); Pipe data = Pipe.open();
             ChildProcess cat = Spawn.command("cat").fd(0, control.source()).fd(1, data.sink()).nullFd(2).start()) {
            assertFalse(data.source().awaitReadable(SHORT));
            Future<Boolean> waiter = Background.call("waiter", () -> data.source().awaitReadable(LONG));
            control.sink().writeFully("x\n".getBytes(StandardCharsets.UTF_8));
            assertTrue(waiter.get(LONG.toSeconds(), TimeUnit.SECONDS));
            ByteBuffer line = ByteBuffer.allocate(2);
            data.source().readFully(line);
            assertEquals("x\n", new String(line.array(), StandardCharsets.UTF_8));
            control.sink().close();
            assertTrue(cat.waitFor(LONG).orElseThrow().success());
        }
    }

    @Test
    void awaitWritableWakesWhenAnotherProcessDrainsThePipe() throws Exception {
        try (Pipe pipe = Pipe.open(true)) {
            while (pipe.sink().write(ByteBuffer.allocateDirect(65536)) > 0) {
                // fill it
            }
            assertFalse(pipe.sink().awaitWritable(SHORT));
            pipe.source().setBlocking(true); // cat expects a blocking stdin
            try (ChildProcess cat = Spawn.command("cat").fd(0, pipe.source()).nullFd(1).nullFd(2).start()) {
                assertTrue(pipe.sink().awaitWritable(LONG), "cat drained the pipe");
                pipe.sink().close();
                ExitStatus status = cat.waitFor(LONG).orElseThrow();
                assertTrue(status.success(), status.toString());
            }
        }
    }
}
