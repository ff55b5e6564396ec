package jipc.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jipc.BrokenPipeException;
import jipc.fifo.Fifo;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;
import jipc.pipe.Pipe;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, pipe and FIFO rows. A writer (the C program {@code record_writer}, PIPE_BUF-sized records of one
 * {@code write(2)} each) is SIGKILLed while the reader reads, or while it is blocked on a full pipe: the reader gets
 * only whole records, in order, then EOF. A reader ({@code cat}, or {@code sleep} that never reads) is SIGKILLed
 * while this JVM writes, or while this JVM's write is blocked on the full pipe: the write fails with
 * {@link BrokenPipeException} (EPIPE), and this JVM lives on (HotSpot ignores SIGPIPE).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeFaultTest {
    private static final int RECORD = WriteEnd.PIPE_BUF;

    @TempDir
    Path dir;

    /** Both ends of a pipe or of a FIFO, blocking, in this process. */
    private record Ends(ReadEnd read, WriteEnd write) implements AutoCloseable {
        static Ends open(String mechanism, Path dir) throws Exception {
            if (mechanism.equals("pipe")) {
                Pipe pipe = Pipe.open();
                return new Ends(pipe.source(), pipe.sink());
            }
            Fifo fifo = Fifo.create(dir.resolve("fifo"));
            ReadEnd read = fifo.openReadNonBlocking(); // so that the write open below does not wait
            WriteEnd write = fifo.openWrite();
            read.setBlocking(true);
            return new Ends(read, write);
        }

        @Override
        public void close() {
            read.close();
            write.close();
        }
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String mechanism : List.of("pipe", "fifo")) {
            for (String point : List.of("while the reader reads", "blocked on the full pipe")) {
                cases.add(Arguments.of(mechanism, point));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0}: writer killed {1}")
    @MethodSource("cases")
    void readerGetsWholeRecordsInOrderThenEof(String mechanism, String point) throws Exception {
        String writer = Gcc.program("record_writer").toString();
        try (Ends ends = Ends.open(mechanism, dir);
             Capture doomed = Capture.start(Spawn.command(writer, "7", "100000000").fd(3, ends.write()))) {
            assertFalse(ends.write().isOpen(), "the writer holds the only write end");
            ByteBuffer record = ByteBuffer.allocateDirect(RECORD).order(ByteOrder.nativeOrder());
            int next = 0;
            if (point.startsWith("while")) {
                for (; next < 200; next++) {
                    readRecord(ends.read(), record, next);
                }
            } else {
                int capacity = ends.read().pipeCapacity();
                Await.until(Duration.ofSeconds(30), "the writer to fill the pipe",
                        () -> ends.read().available() == capacity);
            }
            Faults.kill(doomed.child());
            for (;; next++) {
                try {
                    readRecord(ends.read(), record, next);
                } catch (EOFException e) {
                    assertEquals(0, record.position(), "EOF inside record " + next + ": a torn write");
                    break;
                }
            }
            if (point.startsWith("blocked")) {
                assertEquals(ends.read().pipeCapacity() / RECORD, next, "the full pipe's records and no more");
            }
            assertEquals(-1, ends.read().read(ByteBuffer.allocate(1)), "EOF stays");
        }
    }

    /** Reads record {@code seq} of writer 7 and checks every byte of it. */
    private static void readRecord(ReadEnd read, ByteBuffer record, int seq) throws Exception {
        record.clear();
        read.readFully(record);
        assertEquals(7, record.getInt(0), "record " + seq + ": writer id (torn or interleaved)");
        assertEquals(seq, record.getInt(4), "record " + seq + ": sequence number (lost or torn)");
        byte fill = (byte) (7 * 31 + seq);
        for (int i = 8; i < RECORD; i++) {
            if (record.get(i) != fill) {
                throw new AssertionError("record " + seq + ": foreign byte at offset " + i + " (torn)");
            }
        }
    }

    @ParameterizedTest(name = "{0}: reader killed {1}")
    @MethodSource("cases")
    void writerGetsBrokenPipeAndLivesOn(String mechanism, String point) throws Exception {
        boolean reading = point.startsWith("while");
        try (Ends ends = Ends.open(mechanism, dir);
             Capture doomed = Capture.startKeepingStdin(Spawn.command(reading ? "cat" : "sleep", reading ? "-" : "600")
                     .fd(0, ends.read()))) {
            assertFalse(ends.read().isOpen(), "the child holds the only read end");
            AtomicLong written = new AtomicLong();
            Future<Void> writing = Background.run("writer", () -> {
                ByteBuffer record = ByteBuffer.allocateDirect(RECORD);
                for (;;) {
                    record.clear();
                    ends.write().writeFully(record);
                    written.incrementAndGet();
                }
            });
            if (reading) {
                Await.until(Duration.ofSeconds(30), "cat to read 200 records", () -> written.get() >= 200);
            } else {
                int full = ends.write().pipeCapacity() / RECORD;
                Await.until(Duration.ofSeconds(30), "the pipe to fill", () -> written.get() == full);
                long end = System.nanoTime() + 100_000_000L;
                Await.until(Duration.ofSeconds(5), "100 ms to pass", () -> System.nanoTime() - end > 0);
                assertEquals(full, written.get(), "the writer is blocked on the full pipe");
                assertFalse(writing.isDone());
            }
            Faults.kill(doomed.child());
            ExecutionException e = assertThrows(ExecutionException.class, () -> writing.get(10, TimeUnit.SECONDS));
            BrokenPipeException broken = assertInstanceOf(BrokenPipeException.class, e.getCause());
            assertEquals("EPIPE", broken.errnoName());
            assertTrue(ends.write().isOpen(), "the write end stays usable for close");
            assertThrows(BrokenPipeException.class, () -> ends.write().write(ByteBuffer.allocate(1)),
                    "every later write too");
        }
    }
}
