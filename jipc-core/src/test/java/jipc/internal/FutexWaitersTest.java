package jipc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.testing.Capture;
import jipc.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Virtual threads waiting on futex words park, and the futex_waitv service threads unpark them: hundreds of waits
 * leave the carriers free for other virtual threads, a wake from another process reaches the right thread, and
 * timeouts, interrupts and stale values end a wait as {@link Futex#await} would.
 */
class FutexWaitersTest {
    private static final long SECOND = 1_000_000_000L;

    @BeforeAll
    static void needsFutexWaitv() {
        assumeTrue(FutexWaiters.available(), "this kernel has no futex_waitv (Linux 5.16+)");
    }

    @Test
    void threeHundredParkedWaitsLeaveTheCarriersFreeAndEachWakeReachesItsThread() throws Exception {
        int n = 300;
        try (Arena arena = Arena.ofShared(); ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            MemorySegment words = arena.allocate(4L * n, 64);
            List<Future<Integer>> waits = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                MemorySegment word = words.asSlice(4L * i, 4);
                waits.add(virtual.submit(() -> FutexWaiters.await(word, 0, 60 * SECOND)));
            }
            Await.until(java.time.Duration.ofSeconds(30), "300 words watched",
                    () -> FutexWaiters.watchedWords() >= n);
            // With as many carriers as cores (2 here), 300 pinned waits would leave no carrier for this one.
            assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            assertTrue(FutexWaiters.threads() >= 3 && FutexWaiters.threads() <= 4,
                    "one service thread per 127 words: " + FutexWaiters.threads());
            for (int i = n - 1; i >= 0; i--) {
                MemorySegment word = words.asSlice(4L * i, 4);
                word.set(ValueLayout.JAVA_INT, 0, 1);
                Futex.wake(word, 1);
                int result = waits.get(i).get(30, TimeUnit.SECONDS);
                assertTrue(result == 0 || result == Errno.EAGAIN, "wait " + i + ": " + result);
            }
            Await.until(java.time.Duration.ofSeconds(10), "no word watched", () -> FutexWaiters.watchedWords() == 0);
        }
    }

    @Test
    void aStaleValueATimeoutAndAnInterruptEndTheWaitAsFutexAwaitWould() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(4, 4);
            word.set(ValueLayout.JAVA_INT, 0, 5);
            assertEquals(Errno.EAGAIN, onVirtualThread(() -> FutexWaiters.await(word, 4, 10 * SECOND)));
            assertEquals(Errno.ETIMEDOUT, onVirtualThread(() -> FutexWaiters.await(word, 5, SECOND / 20)));
            Await.until(java.time.Duration.ofSeconds(10), "the timed-out wait cancelled",
                    () -> FutexWaiters.watchedWords() == 0);
            CompletableFuture<Integer> interrupted = new CompletableFuture<>();
            Thread t = Thread.ofVirtual()
                    .start(() -> interrupted.complete(FutexWaiters.await(word, 5, 60 * SECOND)));
            Await.until(java.time.Duration.ofSeconds(10), "the wait registered",
                    () -> FutexWaiters.watchedWords() == 1);
            t.interrupt();
            assertEquals(Errno.EINTR, interrupted.get(10, TimeUnit.SECONDS));
            Await.until(java.time.Duration.ofSeconds(10), "the interrupted wait cancelled",
                    () -> FutexWaiters.watchedWords() == 0);
        }
    }

    @Test
    void aWakeFromAnotherProcessUnparksTheVirtualThread() throws Exception {
        String name = "/jipc-futexwaiters-" + ProcessHandle.current().pid();
        PosixSharedMemory.unlinkIfExists(name);
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096); Mapping mapping = shm.map()) {
            MemorySegment word = mapping.segment().asSlice(128, 4);
            CompletableFuture<Integer> waited = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> waited.complete(FutexWaiters.await(word, 0, 60 * SECOND)));
            Await.until(java.time.Duration.ofSeconds(10), "the wait registered",
                    () -> FutexWaiters.watchedWords() == 1);
            Capture.run(Spawn.java(FutexPeer.class, name, "128")).assertSuccess();
            assertEquals(0, waited.get(30, TimeUnit.SECONDS));
            assertEquals(1, word.get(ValueLayout.JAVA_INT, 0));
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    private static int onVirtualThread(java.util.concurrent.Callable<Integer> call) throws Exception {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(call.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    @Test
    void stopUnparksTheWaitersEndsTheServiceThreadsAndLaterWaitsNeedNone() throws Exception {
        Capture.Result result = Capture.run(Spawn.java(FutexWaitersStopChild.class, "stop")).assertSuccess();
        List<String> lines = result.out().strip().lines().toList();
        assertEquals(List.of("watched 1", "parked 0", "threads 0 alive 0", "later " + Errno.ETIMEDOUT + " threads 0"),
                lines, result.out() + result.err());
    }

    /**
     * At exit no service thread may be left in futex_waitv: HotSpot's last safepoint waits up to 300 ms for threads
     * in native calls, so a JVM that had parked a virtual thread on a futex word took 0.3 s longer to exit.
     */
    @Test
    void theServiceThreadsEndAtExit() throws Exception {
        Capture.Result result = Capture.run(Spawn.java(FutexWaitersStopChild.class, "exit")).assertSuccess();
        List<String> lines = result.out().strip().lines().toList();
        assertEquals(List.of("waited, threads 1", "at exit threads 0 alive 0"), lines, result.out() + result.err());
    }
}
