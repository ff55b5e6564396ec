package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.internal.FutexWaiters;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import jipc.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hundred virtual threads parked in {@link Mutex#lock()} while another process holds it: when that process is
 * killed, exactly one of them gets {@code OWNER_DIED}, repairs and unlocks, and the others follow one by one.
 */
class MutexVirtualThreadTest {
    private static final long MUTEX = 0;
    private static final long FLAG = 64;

    @TempDir
    Path dir;

    @Test
    void aHundredParkedLockersOfAKilledHoldersMutexGetItOnceEachAndOneOfThemOwnerDied() throws Exception {
        assumeTrue(FutexWaiters.available(), "this kernel has no futex_waitv (Linux 5.16+)");
        Path file = dir.resolve("mutex");
        try (Arena arena = Arena.ofShared(); ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Mutex mutex = Mutex.create(shared, MUTEX);
            try (ChildProcess holder = Spawn.java(SyncChild.class, "hold", file.toString(), "" + MUTEX, "" + FLAG,
                    "-1").start()) {
                Await.until(Duration.ofSeconds(30), "the child holds the mutex",
                        () -> shared.get(ValueLayout.JAVA_INT, FLAG) == 1);
                int before = FutexWaiters.watchedWords();
                List<Future<LockResult>> lockers = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    lockers.add(virtual.submit(() -> {
                        LockResult result = mutex.lock();
                        if (result == LockResult.OWNER_DIED) {
                            mutex.markConsistent(); // the repair of the protected data would go here
                        }
                        mutex.unlock();
                        return result;
                    }));
                }
                Await.until(Duration.ofSeconds(30), "the lockers parked", () -> FutexWaiters.watchedWords() > before);
                assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
                holder.destroyForcibly();
                int died = 0;
                int acquired = 0;
                for (Future<LockResult> locker : lockers) {
                    LockResult result = locker.get(60, TimeUnit.SECONDS);
                    if (result == LockResult.OWNER_DIED) {
                        died++;
                    } else if (result == LockResult.ACQUIRED) {
                        acquired++;
                    }
                }
                assertEquals(1, died, "exactly one locker learns of the death");
                assertEquals(99, acquired);
            }
            assertEquals(LockResult.ACQUIRED, mutex.tryLock());
            mutex.unlock();
        }
    }
}
