package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jipc.ErrnoException;
import jipc.live.LivenessDescriptor;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A semaphore in a named shared memory object of its own, opened by name in a second JVM. */
class SharedSemaphoreTest {
    private static final String PREFIX = "/jipc-test-" + ProcessHandle.current().pid() + "-sharedsem-";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static String uniqueName() {
        return PREFIX + COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void noNameIsLeftInDevShm() throws IOException {
        try (Stream<Path> names = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), names.filter(p -> ("/" + p.getFileName()).startsWith(PREFIX)).toList());
        }
    }

    @Test
    void childJvmOpensByNameAndIsWokenByTheCreatorsRelease() throws Exception {
        String name = uniqueName();
        try (SharedSemaphore shared = SharedSemaphore.createBinary(name, false)) {
            try (ChildProcess child = Spawn.java(SharedSemaphoreChild.class, "acquire", name).start()) {
                // The waiters word rises when the child is about to sleep in FUTEX_WAIT on our word.
                Await.until(Duration.ofSeconds(30), "the child waits on the semaphore",
                        () -> shared.semaphore().toString().contains("waiters=1"));
                shared.semaphore().release();
                ExitStatus status = child.waitFor(Duration.ofSeconds(30)).orElseThrow();
                assertTrue(status.success(), "child: " + status + " (5: it got no permit)");
            }
            assertEquals(0, shared.semaphore().availablePermits(), "the child took the permit");
            shared.unlink();
        }
    }

    @Test
    void creatorAcquiresWhatAChildJvmReleasesByName() throws Exception {
        String name = uniqueName();
        try (SharedSemaphore shared = SharedSemaphore.create(name, 0)) {
            try (ChildProcess child = Spawn.java(SharedSemaphoreChild.class, "release", name).start()) {
                assertTrue(shared.semaphore().tryAcquire(Duration.ofSeconds(30)), "no permit from the child");
                assertTrue(child.waitFor(Duration.ofSeconds(30)).orElseThrow().success());
            } finally {
                SharedSemaphore.unlink(name);
            }
        }
    }

    @Test
    void cProgramOpensTheObjectByNameAndWakesTheJavaWaiter() throws Exception {
        String name = uniqueName();
        try (SharedSemaphore shared = SharedSemaphore.createBinary(name, false);
             Capture peer = Capture.start(Spawn.command(Gcc.program("shared_sem_post").toString(), name))) {
            assertTrue(shared.semaphore().tryAcquire(Duration.ofSeconds(30)), "no permit from the C peer: "
                    + peer.outSoFar());
            Capture.Result result = peer.finish().assertSuccess();
            assertEquals("posted\n", result.out());
            assertEquals(0, shared.semaphore().availablePermits());
        } finally {
            SharedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void objectIsExactlyOneSemaphoreWithTheModeAskedFor() throws Exception {
        String name = uniqueName();
        try (SharedSemaphore shared = SharedSemaphore.create(name, 3, 0640)) {
            Path file = Path.of("/dev/shm", name.substring(1));
            assertEquals(SemaphoreDescriptor.LENGTH, Files.size(file));
            assertEquals("rw-r-----", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));
            try (SharedSemaphore other = SharedSemaphore.open(name)) {
                assertEquals(3, other.semaphore().availablePermits());
                assertEquals(Integer.MAX_VALUE, other.semaphore().maxPermits());
                assertTrue(other.semaphore().tryAcquire());
            }
            assertEquals(2, shared.semaphore().availablePermits(), "both handles map the same word");
        } finally {
            SharedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void openingAMissingNameFailsWithEnoent() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> SharedSemaphore.open(uniqueName()));
        assertTrue(e.is("ENOENT"), e.getMessage());
    }

    @Test
    void creatingAnExistingNameFailsWithEexistAndLeavesTheSemaphoreAlone() throws Exception {
        String name = uniqueName();
        try (SharedSemaphore shared = SharedSemaphore.create(name, 1)) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> SharedSemaphore.create(name, 5));
            assertTrue(e.is("EEXIST"), e.getMessage());
            assertEquals(1, shared.semaphore().availablePermits());
            try (SharedSemaphore again = SharedSemaphore.open(name)) {
                assertEquals(1, again.semaphore().availablePermits());
            }
        } finally {
            SharedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void openingSharedMemoryThatHoldsNoSemaphoreIsRefused() throws Exception {
        String zeros = uniqueName();
        String tiny = uniqueName();
        try (PosixSharedMemory _ = PosixSharedMemory.create(zeros, 4096);
             PosixSharedMemory _ = PosixSharedMemory.create(tiny, 8)) {
            IllegalArgumentException noMagic = assertThrows(IllegalArgumentException.class,
                    () -> SharedSemaphore.open(zeros));
            assertTrue(noMagic.getMessage().contains("magic"), noMagic.getMessage());
            IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                    () -> SharedSemaphore.open(tiny));
            assertTrue(tooSmall.getMessage().contains("8 bytes"), tooSmall.getMessage());
        } finally {
            PosixSharedMemory.unlinkIfExists(zeros);
            PosixSharedMemory.unlinkIfExists(tiny);
        }
    }

    @Test
    void openingAVersion1ObjectIsRefusedNamingBothVersions() throws Exception {
        String name = uniqueName();
        try (PosixSharedMemory old = PosixSharedMemory.create(name, SemaphoreDescriptor.VERSION_1_LENGTH);
             Mapping words = old.map()) {
            // count 0, waiters 0, max 1, magic "JSM1": what a version 1 SharedSemaphore.createBinary left
            words.segment().set(ValueLayout.JAVA_INT, 8, 1);
            words.segment().set(ValueLayout.JAVA_INT, 12, SemaphoreDescriptor.MAGIC_VERSION_1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedSemaphore.open(name));
            assertEquals("shared memory " + name + " has layout version 1 (magic 0x4a534d31, 16 bytes, one waiters"
                    + " count); this jipc speaks version 2 (magic 0x4a534d32, 128 bytes, waiters counted per process):"
                    + " create it anew", e.getMessage());
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void waitersNameTheirProcessWithATokenOfTheObjectsAccessClass() throws Exception {
        String name = uniqueName();
        try (SharedSemaphore shared = SharedSemaphore.create(name, 0, 0640);
             PosixSharedMemory view = PosixSharedMemory.open(name);
             Mapping words = view.map()) {
            Future<Boolean> waiter = Background.call("waiter",
                    () -> shared.semaphore().tryAcquire(Duration.ofSeconds(30)));
            Await.until(Duration.ofSeconds(10), "the waiter to count itself", () -> shared.semaphore().waiters() == 1);
            long party = words.segment().get(ValueLayout.JAVA_LONG, SemaphoreDescriptor.partyOffset(0));
            Path token = Path.of(LivenessDescriptor.TOKEN_DIRECTORY, LivenessDescriptor.tokenFileName(party));
            assertEquals("rw-r-----", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(token, LinkOption.NOFOLLOW_LINKS)),
                    "whoever may open the object may judge its waiters");
            shared.semaphore().release();
            assertTrue(waiter.get(10, TimeUnit.SECONDS));
        } finally {
            SharedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void negativePermitsCreateNothing() {
        String name = uniqueName();
        assertThrows(IllegalArgumentException.class, () -> SharedSemaphore.create(name, -1));
        assertFalse(Files.exists(Path.of("/dev/shm", name.substring(1))));
    }

    @Test
    void closedHandleRefusesTheSemaphoreAndCloseIsIdempotent() throws Exception {
        String name = uniqueName();
        SharedSemaphore shared = SharedSemaphore.create(name, 1);
        try {
            shared.close();
            shared.close();
            assertThrows(IllegalStateException.class, () -> shared.semaphore().tryAcquire());
            assertTrue(shared.toString().contains("closed"), shared.toString());
        } finally {
            SharedSemaphore.unlink(name);
        }
    }
}
