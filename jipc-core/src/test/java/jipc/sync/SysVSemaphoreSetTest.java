package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jipc.ErrnoException;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** System V semaphore sets: SEM_UNDO after a SIGKILLed child JVM, timeouts, values, errors, nothing left behind. */
class SysVSemaphoreSetTest {
    private static final long PID = ProcessHandle.current().pid();
    /** Top byte of every key these tests make ('S'); then 16 bits of the pid and an 8-bit counter. */
    private static final int KEY_TAG = 0x53;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Ids of the private sets the tests made, which no key identifies. */
    private static final Set<Integer> PRIVATE_IDS = ConcurrentHashMap.newKeySet();
    private static final int SIGKILL = 9;

    private static int uniqueKey() {
        return KEY_TAG << 24 | (int) (PID & 0xFFFF) << 8 | (COUNTER.incrementAndGet() & 0xFF);
    }

    private static SysVSemaphoreSet privateSet(int nsems) throws IOException {
        SysVSemaphoreSet set = SysVSemaphoreSet.createPrivate(nsems);
        PRIVATE_IDS.add(set.id());
        return set;
    }

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        List<String> left = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/sysvipc/sem"))) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("key")) {
                continue;
            }
            int key = (int) Long.parseLong(f[0]);
            int id = Integer.parseInt(f[1]);
            boolean ourKey = key >>> 24 == KEY_TAG && (key >>> 8 & 0xFFFF) == (PID & 0xFFFF);
            if (ourKey || key == 0 && PRIVATE_IDS.contains(id)) {
                left.add(line.trim());
            }
        }
        assertEquals(List.of(), left, "semaphore sets left in /proc/sysvipc/sem");
    }

    @Test
    void kernelUndoesTheSemaphoreOfAChildKilledWhileHoldingIt() throws Exception {
        SysVSemaphoreSet set = privateSet(2);
        try {
            set.setValue(0, 1);
            try (ChildProcess child = Spawn.java(KernelSemaphoreChild.class, "hold", "" + set.id()).start()) {
                assertTrue(set.tryAcquire(1, Duration.ofSeconds(30)), "the child did not report that it holds");
                assertEquals(0, set.value(0), "the child holds semaphore 0");
                assertFalse(set.tryAcquire(0), "semaphore 0 is held by a live child");
                child.signal(SIGKILL);
                ExitStatus status = child.waitFor(Duration.ofSeconds(10)).orElseThrow();
                assertFalse(status.success(), status.toString());
            }
            assertTrue(set.tryAcquire(0, Duration.ofSeconds(10)), "the kernel did not undo the dead holder's take");
            assertEquals(0, set.value(0));
            assertEquals(0, set.value(1), "the child's undo-less release was consumed, not undone");
        } finally {
            set.remove();
        }
    }

    @Test
    void timedAcquireTimesOutAndTryAcquireDoesNotBlock() throws Exception {
        SysVSemaphoreSet set = privateSet(1);
        try {
            assertFalse(set.tryAcquire(0));
            long start = System.nanoTime();
            assertFalse(set.tryAcquire(0, Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "returned early");
            set.release(0);
            assertTrue(set.tryAcquire(0, Duration.ofMillis(300)));
            assertEquals(0, set.value(0));
        } finally {
            set.remove();
        }
    }

    @Test
    void acquireAnswersInterruptWhileWaiting() throws Exception {
        SysVSemaphoreSet set = privateSet(1);
        try {
            AtomicInteger outcome = new AtomicInteger();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    set.acquire(0);
                    outcome.set(1);
                } catch (InterruptedException e) {
                    outcome.set(2);
                } catch (IOException e) {
                    outcome.set(3);
                }
            });
            assertFalse(set.tryAcquire(0, Duration.ofMillis(300))); // lets the thread get into its wait
            assertTrue(t.isAlive());
            t.interrupt();
            t.join(10_000);
            assertFalse(t.isAlive(), "acquire did not answer the interrupt");
            assertEquals(2, outcome.get());
            assertEquals(0, set.value(0));
        } finally {
            set.remove();
        }
    }

    @Test
    void keyedSetIsFoundByKeyAndStatMatchesTheKernel() throws Exception {
        int key = uniqueKey();
        try (SysVSemaphoreSet set = SysVSemaphoreSet.create(key, 3)) {
            try {
                set.setValue(1, 7);
                set.setValue(2, SysVSemaphoreSet.MAX_VALUE);
                try (SysVSemaphoreSet opened = SysVSemaphoreSet.open(key)) {
                    assertEquals(set.id(), opened.id());
                    assertEquals(3, opened.size());
                    assertFalse(opened.created());
                    assertArrayEquals(new int[] {0, 7, SysVSemaphoreSet.MAX_VALUE}, opened.values());
                }
                SysVSemaphoreSet.Stat stat = set.stat();
                assertEquals(key, stat.key());
                assertEquals(3, stat.nsems());
                assertEquals(0600, stat.mode());
                // The same numbers as the kernel's own listing: key, semid, perms, nsems, uid.
                String line = Files.readAllLines(Path.of("/proc/sysvipc/sem")).stream()
                        .filter(l -> l.trim().split("\\s+")[1].equals("" + set.id())).findFirst().orElseThrow();
                String[] f = line.trim().split("\\s+");
                assertEquals(key, (int) Long.parseLong(f[0]));
                assertEquals("600", f[2]);
                assertEquals("3", f[3]);
                assertEquals(stat.uid(), Integer.parseInt(f[4]));
                ErrnoException e = assertThrows(ErrnoException.class, () -> set.release(2));
                assertTrue(e.is("ERANGE"), e.getMessage());
                assertTrue(e.getMessage().startsWith(String.format("semop(key 0x%08x (id %d), {2, 1, SEM_UNDO})",
                        key, set.id())), e.getMessage());
                ErrnoException exists = assertThrows(ErrnoException.class, () -> SysVSemaphoreSet.create(key, 1));
                assertTrue(exists.is("EEXIST"), exists.getMessage());
            } finally {
                set.remove();
            }
            assertThrows(ClosedChannelException.class, () -> set.value(0), "remove() closed the handle");
        } // closes it again: idempotent
        ErrnoException missing = assertThrows(ErrnoException.class, () -> SysVSemaphoreSet.open(key));
        assertEquals(String.format("semget(key 0x%08x, 0, 0600) failed: ENOENT (No such file or directory)", key),
                missing.getMessage());
    }

    @Test
    void misuseIsRejectedWithTheArgument() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> SysVSemaphoreSet.create(0, 1));
        assertThrows(IllegalArgumentException.class, () -> SysVSemaphoreSet.createPrivate(0));
        assertThrows(IllegalArgumentException.class, () -> SysVSemaphoreSet.createPrivate(1, 01000));
        SysVSemaphoreSet set = privateSet(1);
        try {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> set.acquire(1));
            assertEquals("index=1 outside 0..0", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> set.setValue(0, SysVSemaphoreSet.MAX_VALUE + 1));
            assertThrows(IllegalArgumentException.class, () -> set.release(0, 0));
        } finally {
            set.remove();
        }
        ErrnoException gone = assertThrows(ErrnoException.class, () -> SysVSemaphoreSet.ofId(set.id()));
        assertTrue(gone.is("EINVAL") || gone.is("EIDRM"), gone.getMessage());
    }
}
