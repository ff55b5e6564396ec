package jipc.vt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jipc.channel.SharedChannel;
import jipc.internal.FutexWaiters;
import jipc.process.Spawn;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.testing.Await;
import jipc.testing.Capture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Virtual threads blocked in jipc futex waits (channel take, mutex lock) park instead of pinning their carriers:
 * while a hundred of them wait, another virtual thread runs; jipc adds a fixed number of service threads; and a wake
 * from another process reaches each waiter with exactly its data.
 */
class VirtualThreadWaitsTest {

    @BeforeAll
    static void needsFutexWaitv() {
        assumeTrue(FutexWaiters.available(), "this kernel has no futex_waitv (Linux 5.16+)");
    }

    @Test
    void aHundredVirtualThreadsInTakeLeaveTheCarriersFreeAndEachGetsItsMessage() throws Exception {
        int n = 100;
        String prefix = "/jipc-vt-" + ProcessHandle.current().pid() + "-";
        List<SharedChannel> channels = new ArrayList<>();
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                SharedChannel.unlinkIfExists(prefix + i);
                channels.add(SharedChannel.create(prefix + i, 4096, 256));
            }
            int before = FutexWaiters.watchedWords();
            List<Future<String>> takes = new ArrayList<>();
            for (SharedChannel channel : channels) {
                takes.add(virtual.submit(() -> {
                    StringBuilder got = new StringBuilder();
                    channel.channel().take((type, payload) ->
                            got.append(new String(payload.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                                    StandardCharsets.UTF_8)));
                    return got.toString();
                }));
            }
            Await.until(Duration.ofSeconds(60), "a hundred takes asleep",
                    () -> FutexWaiters.watchedWords() - before >= n);
            assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            assertTrue(FutexWaiters.threads() <= 1 + (FutexWaiters.watchedWords() + 126) / 127,
                    "service threads: " + FutexWaiters.threads());
            Capture.run(Spawn.java(SendEachPeer.class, prefix, Integer.toString(n))).assertSuccess();
            for (int i = 0; i < n; i++) {
                assertEquals(prefix + i, takes.get(i).get(30, TimeUnit.SECONDS));
            }
        } finally {
            for (SharedChannel channel : channels) {
                channel.close();
                channel.unlink();
            }
        }
    }

    @Test
    void tenVirtualThreadsInLockLeaveTheCarriersFreeAndAllGetTheMutexInTurn() throws Exception {
        try (Arena arena = Arena.ofShared(); ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            MemorySegment memory = arena.allocate(64, 64);
            Mutex mutex = Mutex.create(memory, 0);
            assertEquals(LockResult.ACQUIRED, mutex.lock());
            int before = FutexWaiters.watchedWords();
            AtomicInteger inside = new AtomicInteger();
            List<Future<LockResult>> locks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                locks.add(virtual.submit(() -> {
                    LockResult r = mutex.lock();
                    inside.incrementAndGet();
                    mutex.unlock();
                    return r;
                }));
            }
            Await.until(Duration.ofSeconds(30), "the lockers asleep", () -> FutexWaiters.watchedWords() > before);
            assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            mutex.unlock();
            for (Future<LockResult> lock : locks) {
                assertEquals(LockResult.ACQUIRED, lock.get(30, TimeUnit.SECONDS));
            }
            assertEquals(10, inside.get());
        }
    }

    @Test
    void virtualThreadsInNamedAndSystemVSemaphoreWaitsLeaveTheCarriersFree() throws Exception {
        String name = "/jipc-vt-sem-" + ProcessHandle.current().pid();
        jipc.sync.NamedSemaphore.unlinkIfExists(name);
        try (jipc.sync.NamedSemaphore named = jipc.sync.NamedSemaphore.create(name, 0);
             jipc.sync.SysVSemaphoreSet set = jipc.sync.SysVSemaphoreSet.createPrivate(1);
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicInteger taken = new AtomicInteger();
            List<Future<?>> waits = new ArrayList<>();
            List<Thread> waiters = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 10; i++) {
                waits.add(virtual.submit(() -> {
                    waiters.add(Thread.currentThread());
                    named.acquire();
                    return taken.incrementAndGet();
                }));
                waits.add(virtual.submit(() -> {
                    waiters.add(Thread.currentThread());
                    set.acquire(0);
                    return taken.incrementAndGet();
                }));
            }
            // all twenty parked (waiting for the pool's slices), none holding a carrier
            Await.until(Duration.ofSeconds(30), "the twenty waiters parked", () -> waiters.size() == 20
                    && waiters.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                            || t.getState() == Thread.State.TIMED_WAITING));
            assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            assertEquals(0, taken.get());
            for (int i = 0; i < 10; i++) {
                named.post();
                set.release(0);
            }
            for (Future<?> w : waits) {
                w.get(30, TimeUnit.SECONDS);
            }
            assertEquals(20, taken.get());
            assertEquals(0, named.value());
            set.remove();
        } finally {
            jipc.sync.NamedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void virtualThreadsInSemaphoreAcquireParkAndEachReleaseLetsOneIn() throws Exception {
        try (Arena arena = Arena.ofShared(); ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            MemorySegment memory = arena.allocate(jipc.sync.SemaphoreDescriptor.LENGTH, 64);
            jipc.sync.Semaphore semaphore = jipc.sync.Semaphore.create(memory, 0, 0);
            int before = FutexWaiters.watchedWords();
            AtomicInteger taken = new AtomicInteger();
            List<Future<?>> waits = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                waits.add(virtual.submit(() -> {
                    semaphore.acquire();
                    return taken.incrementAndGet();
                }));
            }
            Await.until(Duration.ofSeconds(30), "the acquirers asleep", () -> FutexWaiters.watchedWords() > before);
            assertEquals("ran", virtual.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            semaphore.release(50);
            for (Future<?> w : waits) {
                w.get(30, TimeUnit.SECONDS);
            }
            assertEquals(50, taken.get());
        }
    }
}
