package jipc.vt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jipc.channel.SharedChannel;
import jipc.fifo.Fifo;
import jipc.internal.FutexWaiters;
import jipc.io.WriteEnd;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.sync.Semaphore;
import jipc.sync.SemaphoreDescriptor;
import jipc.testing.Capture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's test: with two carriers ({@code -Djdk.virtualThreadScheduler.parallelism=2}), a child JVM blocks 1 000
 * virtual threads in jipc calls at once (690 pipe reads, 100 FIFO opens and reads, 100 channel takes, 100 semaphore
 * acquires, 10 mutex locks); another virtual thread still runs to completion; jipc's own threads stay within one
 * poller, one futex waiter per 127 words and the pool of 4; then this JVM (FIFOs, channels, semaphores, mutex) and a
 * C process (pipes) release every one and each gets exactly its data.
 */
class ThousandVirtualThreadsTest {
    @TempDir
    Path dir;

    @Test
    void aThousandBlockedVirtualThreadsOnTwoCarriersLeaveRoomForAnotherAndEachGetsItsData() throws Exception {
        assumeTrue(FutexWaiters.available(), "this kernel has no futex_waitv (Linux 5.16+)");
        String prefix = "/jipc-thousand-" + ProcessHandle.current().pid();
        List<SharedChannel> channels = new ArrayList<>();
        PosixSharedMemory.unlinkIfExists(prefix + "-sem");
        PosixSharedMemory.unlinkIfExists(prefix + "-mutex");
        try (PosixSharedMemory semShm = PosixSharedMemory.create(prefix + "-sem",
                    ThousandWaiters.SEMAPHORES * SemaphoreDescriptor.LENGTH);
             Mapping semMap = semShm.map();
             PosixSharedMemory mutexShm = PosixSharedMemory.create(prefix + "-mutex", 4096);
             Mapping mutexMap = mutexShm.map()) {
            List<Semaphore> semaphores = new ArrayList<>();
            for (int i = 0; i < ThousandWaiters.SEMAPHORES; i++) {
                semaphores.add(Semaphore.create(semMap.segment(), i * SemaphoreDescriptor.LENGTH, 0));
            }
            Mutex mutex = Mutex.create(mutexMap.segment(), 0);
            assertEquals(LockResult.ACQUIRED, mutex.lock());
            for (int i = 0; i < ThousandWaiters.CHANNELS; i++) {
                SharedChannel.unlinkIfExists(prefix + "-ch" + i);
                channels.add(SharedChannel.create(prefix + "-ch" + i, 4096, 256));
            }
            List<Fifo> fifos = new ArrayList<>();
            for (int i = 0; i < ThousandWaiters.FIFOS; i++) {
                fifos.add(Fifo.create(dir.resolve("f" + i)));
            }
            try (jipc.pipe.Pipe stdin = jipc.pipe.Pipe.open();
                 Capture child = Capture.startKeepingStdin(Spawn.java(ThousandWaiters.class,
                    List.of("-Djdk.virtualThreadScheduler.parallelism=2",
                            "-Djdk.virtualThreadScheduler.maxPoolSize=2"),
                    prefix, dir.toString(), jipc.testing.Gcc.program("write_fds").toString()).fd(0, stdin.source()))) {
                String ready = awaitLine(child, "ready ");
                Matcher m = Pattern.compile("ready 42 poller=(\\d+) futex=(\\d+) blocking=(\\d+)").matcher(ready);
                assertTrue(m.matches(), ready);
                assertEquals(1, Integer.parseInt(m.group(1)), "one fd poller");
                // 100 channel words + 100 semaphores + 1 mutex = 201 words: two waiter threads (127 each)
                assertTrue(Integer.parseInt(m.group(2)) <= 2, "futex waiter threads: " + ready);
                assertTrue(Integer.parseInt(m.group(3)) <= jipc.io.BlockingCalls.THREADS, ready);
                for (int i = 0; i < ThousandWaiters.FIFOS; i++) {
                    try (WriteEnd end = fifos.get(i).openWrite()) {
                        end.writeFully(("f" + i).getBytes(StandardCharsets.UTF_8));
                    }
                }
                for (int i = 0; i < ThousandWaiters.CHANNELS; i++) {
                    byte[] bytes = ("ch" + i).getBytes(StandardCharsets.UTF_8);
                    assertTrue(channels.get(i).channel().offer(1, bytes, 0, bytes.length));
                }
                for (Semaphore semaphore : semaphores) {
                    semaphore.release();
                }
                mutex.unlock();
                stdin.sink().writeFully("go\n".getBytes(StandardCharsets.UTF_8));
                Capture.Result result = child.finish(java.time.Duration.ofSeconds(120));
                result.assertSuccess();
                assertTrue(result.out().contains("\nok poller=1 "), result.out());
            }
        } finally {
            for (SharedChannel channel : channels) {
                channel.close();
                channel.unlink();
            }
            PosixSharedMemory.unlinkIfExists(prefix + "-sem");
            PosixSharedMemory.unlinkIfExists(prefix + "-mutex");
        }
    }

    private static String awaitLine(Capture child, String start) throws Exception {
        jipc.testing.Await.until(java.time.Duration.ofSeconds(120), "a '" + start + "' line from the child",
                () -> lineStarting(child.outSoFar(), start) != null);
        return lineStarting(child.outSoFar(), start);
    }

    private static String lineStarting(String out, String start) {
        return out.lines().filter(line -> line.startsWith(start)).findFirst().orElse(null);
    }
}
