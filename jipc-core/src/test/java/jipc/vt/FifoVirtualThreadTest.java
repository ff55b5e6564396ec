package jipc.vt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.fifo.Fifo;
import jipc.io.BlockingCalls;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;
import jipc.process.Spawn;
import jipc.testing.Capture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIFO opens and reads on virtual threads park: readers open without waiting and park on the poller until a writer
 * shows up; writers' opens run on jipc's small pool of platform threads; meanwhile other virtual threads run.
 */
class FifoVirtualThreadTest {
    @TempDir
    Path dir;

    @Test
    void fiftyVirtualReadersOpenAndReadWhileAnotherVirtualThreadRuns() throws Exception {
        int n = 50;
        List<Fifo> fifos = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fifos.add(Fifo.create(dir.resolve("f" + i)));
        }
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> reads = new ArrayList<>();
            for (Fifo fifo : fifos) {
                reads.add(virtual.submit(() -> {
                    try (ReadEnd end = fifo.openRead()) {
                        ByteBuffer buffer = ByteBuffer.allocate(64);
                        StringBuilder got = new StringBuilder();
                        while (end.read(buffer.clear()) > 0) {
                            got.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
                        }
                        return got.toString();
                    }
                }));
            }
            // every reader has opened without waiting and parked on the poller: none holds a carrier
            jipc.testing.Await.until(java.time.Duration.ofSeconds(60), "50 readers parked",
                    () -> jipc.io.FdPollerProbe.waiting() >= n);
            assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            Capture.run(Spawn.command("bash", "-c",
                    "for ((i = 0; i < " + n + "; i++)); do echo \"line $i\" > \"$1/f$i\"; done", "bash",
                    dir.toString())).assertSuccess();
            for (int i = 0; i < n; i++) {
                assertEquals("line " + i + "\n", reads.get(i).get(30, TimeUnit.SECONDS), "reader " + i);
            }
        }
    }

    @Test
    void virtualWritersOpenThroughTheSmallPoolAndEachReaderGetsItsLine() throws Exception {
        int n = 3 * BlockingCalls.THREADS;
        for (int i = 0; i < n; i++) {
            Fifo.create(dir.resolve("w" + i));
        }
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Fifo fifo = Fifo.at(dir.resolve("w" + i));
                String line = "to " + i + "\n";
                writes.add(virtual.submit(() -> {
                    try (WriteEnd end = fifo.openWrite()) {
                        end.writeFully(line.getBytes(StandardCharsets.UTF_8));
                    }
                    return null;
                }));
            }
            assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            long pool = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("jipc-blocking-")).count();
            assertTrue(pool <= BlockingCalls.THREADS, "pool threads: " + pool);
            // The readers open all FIFOs at once: the writers reach the pool in whatever order their virtual threads
            // run, and a reader opening w0 first would wait for a writer still queued behind four others, each
            // blocked in open for a reader that has not come yet.
            Capture.Result cat = Capture.run(Spawn.command("bash", "-c",
                    "for ((i = 0; i < " + n + "; i++)); do cat \"$1/w$i\" > \"$1/out$i\" & done; wait;"
                            + " for ((i = 0; i < " + n + "; i++)); do cat \"$1/out$i\"; done", "bash", dir.toString()))
                    .assertSuccess();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < n; i++) {
                expected.append("to ").append(i).append('\n');
            }
            assertEquals(expected.toString(), cat.out());
            for (Future<?> w : writes) {
                w.get(30, TimeUnit.SECONDS);
            }
        } finally {
            for (int i = 0; i < n; i++) {
                Files.deleteIfExists(dir.resolve("w" + i));
                Files.deleteIfExists(dir.resolve("out" + i));
            }
        }
    }
}
