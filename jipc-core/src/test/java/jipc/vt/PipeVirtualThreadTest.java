package jipc.vt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.pipe.Pipe;
import jipc.process.Spawn;
import jipc.testing.Capture;
import org.junit.jupiter.api.Test;

/**
 * Virtual threads reading and writing pipes park while they wait (one poller thread watches the descriptors), so the
 * carriers stay free; EOF, atomicity and non-blocking ends behave as on platform threads; interrupting a parked
 * thread or closing its end wakes it with the documented exception.
 */
class PipeVirtualThreadTest {

    @Test
    void twoHundredParkedReadersLeaveTheCarriersFreeAndAnotherProcessFeedsEach() throws Exception {
        int n = 200;
        List<Pipe> pipes = new ArrayList<>();
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                pipes.add(Pipe.open());
            }
            List<Future<String>> reads = new ArrayList<>();
            for (Pipe pipe : pipes) {
                reads.add(virtual.submit(() -> {
                    ByteBuffer buffer = ByteBuffer.allocate(64);
                    int got = pipe.source().read(buffer);
                    return got < 0 ? "EOF" : new String(buffer.array(), 0, got, StandardCharsets.UTF_8);
                }));
            }
            jipc.testing.Await.until(Duration.ofSeconds(30), "200 readers parked", () -> parked() >= n);
            assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            assertEquals(1, pollerThreads(), "one poller thread however many readers");
            // bash writes "i" into write end i, placed on the child's descriptor 3 + i
            Spawn spawn = Spawn.command("bash", "-c",
                    "for ((i = 0; i < " + n + "; i++)); do printf \"$i\" >&$((3 + i)); done");
            for (int i = 0; i < n; i++) {
                spawn.fd(3 + i, pipes.get(i).sink());
            }
            Capture.run(spawn).assertSuccess();
            for (int i = 0; i < n; i++) {
                assertEquals(Integer.toString(i), reads.get(i).get(30, TimeUnit.SECONDS), "reader " + i);
            }
        } finally {
            for (Pipe pipe : pipes) {
                pipe.close();
            }
        }
    }

    @Test
    void aParkedWriterFinishesAFullMegabyteAndTheReaderSeesEveryByteThenEof() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            byte[] data = new byte[1 << 20];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31 + (i >>> 12));
            }
            CompletableFuture<Integer> written = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    pipe.sink().writeFully(data); // parks whenever the pipe is full
                    pipe.sink().close();
                    written.complete(data.length);
                } catch (Exception e) {
                    written.completeExceptionally(e);
                }
            });
            byte[] got = new byte[data.length];
            int at = 0;
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            for (;;) {
                buffer.clear();
                int n = pipe.source().read(buffer);
                if (n < 0) {
                    break;
                }
                System.arraycopy(buffer.array(), 0, got, at, n);
                at += n;
            }
            assertEquals(data.length, written.get(30, TimeUnit.SECONDS));
            assertEquals(data.length, at);
            assertArrayEquals(data, got);
        }
    }

    @Test
    void pipeBufWritesFromManyVirtualThreadsAreNeverInterleaved() throws Exception {
        try (Pipe pipe = Pipe.open(); ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            int writers = 8;
            int records = 200;
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte fill = (byte) ('a' + w);
                done.add(virtual.submit(() -> {
                    byte[] record = new byte[4096];
                    java.util.Arrays.fill(record, fill);
                    for (int r = 0; r < records; r++) {
                        pipe.sink().writeFully(record);
                    }
                    return null;
                }));
            }
            byte[] record = new byte[4096];
            for (int r = 0; r < writers * records; r++) {
                pipe.source().readFully(ByteBuffer.wrap(record));
                for (byte b : record) {
                    assertEquals(record[0], b, "record " + r + " interleaved");
                }
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void interruptingOrClosingUnderAParkedReaderWakesIt() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> outcome.complete(
                    assertThrows(InterruptedIOException.class, () -> pipe.source().read(ByteBuffer.allocate(8)))));
            jipc.testing.Await.until(Duration.ofSeconds(10), "the reader parked", () -> parked() >= 1);
            reader.interrupt();
            assertTrue(outcome.get(10, TimeUnit.SECONDS) instanceof InterruptedIOException);
        }
        Pipe pipe = Pipe.open();
        try {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> outcome.complete(
                    assertThrows(AsynchronousCloseException.class, () -> pipe.source().read(ByteBuffer.allocate(8)))));
            jipc.testing.Await.until(Duration.ofSeconds(10), "the reader parked", () -> parked() >= 1);
            pipe.source().close();
            assertTrue(outcome.get(10, TimeUnit.SECONDS) instanceof AsynchronousCloseException);
        } finally {
            pipe.close();
        }
    }

    @Test
    void aNonBlockingEndStillReturnsZeroOnAVirtualThread() throws Exception {
        try (Pipe pipe = Pipe.open(true)) {
            CompletableFuture<Integer> read = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    read.complete(pipe.source().read(ByteBuffer.allocate(8)));
                } catch (Exception e) {
                    read.completeExceptionally(e);
                }
            });
            assertEquals(0, read.get(10, TimeUnit.SECONDS));
        }
    }

    /** Virtual threads parked in the fd poller now (through its test hook). */
    private static int parked() {
        return jipc.io.FdPollerProbe.waiting();
    }

    private static long pollerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("jipc-fd-poller")).count();
    }
}
