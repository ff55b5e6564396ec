package jipc.shm;

import static jipc.shm.ShmTestSupport.uniqueKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import jipc.testing.Gcc;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jipc.ErrnoException;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * System V segments against a C peer (compiled with gcc here) doing the classic shmget/shmat flow, against
 * {@code ipcs}/{@code ipcrm}, and their error paths.
 */
class SysVSharedMemoryTest {
    @TempDir
    static Path dir;
    static Path peer;

    @BeforeAll
    static void compilePeer() throws Exception {
        peer = Gcc.program("shm_sysv_peer");
    }

    @AfterAll
    static void nothingLeft() throws Exception {
        ShmTestSupport.assertNothingLeft();
    }

    @Test
    void javaReadsWhatACChildWroteAfterItExitedThenRemovesIt() throws Exception {
        Path keyFile = Files.createFile(dir.resolve("ftok-file"));
        int key = SysVSharedMemory.ftok(keyFile, 'J');
        try (SysVSharedMemory shm = SysVSharedMemory.create(key, 4096); Mapping m = shm.map()) {
            try {
                int childPid;
                try (ChildProcess child = Spawn.command(peer.toString(), "write-ftok", keyFile.toString(), "74")
                        .nullFd(1).start()) {
                    childPid = child.pid();
                    ExitStatus status = child.waitFor();
                    assertTrue(status.success(), "C peer: " + status);
                }
                assertEquals("Hello World", m.getString(0));
                SysVStat stat = shm.stat();
                assertEquals(key, stat.key(), "ftok in C and in Java agree");
                assertEquals(ShmTestSupport.PID, stat.creatorPid());
                assertEquals(childPid, stat.lastPid(), "the child's shmdt was the last attach/detach");
                assertEquals(1, stat.attachCount(), "only this JVM is attached now");
                assertEquals(4096, stat.size());
                assertEquals(0600, stat.mode());
            } finally {
                shm.remove();
            }
            assertTrue(shm.stat().markedForRemoval(), "still attached here, so only marked");
        }
        assertThrows(ErrnoException.class, () -> SysVSharedMemory.open(key), "gone after the last detach");
    }

    @Test
    void aCChildReadsWhatJavaWroteAndSeesTheSameShmidDs() throws Exception {
        int key = uniqueKey();
        try (SysVSharedMemory shm = SysVSharedMemory.create(key, 10_000, 0640)) {
            try {
                try (Mapping m = shm.map()) {
                    m.setString(0, "Hello World");
                }
                ShmTestSupport.Result r = ShmTestSupport.run(List.of(peer.toString(), "read-id",
                        Integer.toString(shm.id())));
                assertEquals(0, r.status(), r.output());
                String[] lines = r.output().split("\n");
                assertEquals("Hello World", lines[0]);
                // The C peer's IPC_STAT (taken while it was attached) against ours, read through ShmidDescriptor.
                Map<String, String> c = new HashMap<>();
                for (String pair : lines[1].split(" ")) {
                    c.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
                }
                SysVStat stat = shm.stat();
                assertEquals(Integer.toString(key), c.get("key"));
                assertEquals("10000", c.get("segsz"));
                assertEquals("640", c.get("mode"));
                assertEquals(Integer.toString(stat.uid()), c.get("uid"));
                assertEquals(Integer.toString(stat.gid()), c.get("gid"));
                assertEquals(Integer.toString(stat.creatorUid()), c.get("cuid"));
                assertEquals(Integer.toString(stat.creatorGid()), c.get("cgid"));
                assertEquals(Long.toString(ShmTestSupport.PID), c.get("cpid"));
                assertEquals("1", c.get("nattch"), "the C peer itself");
                assertEquals(c.get("lpid"), Integer.toString(stat.lastPid()), "the C peer attached and detached");
                assertEquals(0, stat.attachCount());
                assertEquals(key, stat.key());
                assertEquals(10_000, stat.size());
                assertEquals(0640, stat.mode());
                assertFalse(stat.markedForRemoval());
                assertTrue(stat.lastAttach().getEpochSecond() > 0 && stat.lastDetach().getEpochSecond() > 0);
            } finally {
                shm.remove();
            }
        }
    }

    @Test
    void ipcsShowsTheSegmentAndIpcrmRemovesIt() throws Exception {
        int key = uniqueKey();
        try (SysVSharedMemory shm = SysVSharedMemory.create(key, 8192)) {
            String hexKey = String.format("0x%08x", key);
            ShmTestSupport.Result ipcs = ShmTestSupport.run(List.of("ipcs", "-m"));
            assertTrue(ipcs.output().lines().anyMatch(l -> l.startsWith(hexKey + " ") && l.contains(" " + shm.id() + " ")
                    && l.contains(" 600 ") && l.contains(" 8192 ")), ipcs.output());
            SharedMemoryInfo listed = SharedMemoryListing.systemV().stream()
                    .filter(i -> i.id() == shm.id()).findFirst().orElseThrow();
            assertEquals(new SharedMemoryInfo(SharedMemoryInfo.Kind.SYSV, hexKey, key, shm.id(), 8192,
                    shm.stat().uid(), 0600, 0, (int) ShmTestSupport.PID, 0,
                    SharedMemoryInfo.Liveness.ALIVE, false), listed);
            assertEquals("rw-------", listed.modeString());

            ShmTestSupport.Result ipcrm = ShmTestSupport.run(List.of("ipcrm", "-m", Integer.toString(shm.id())));
            assertEquals(0, ipcrm.status(), ipcrm.output());
            ErrnoException e = assertThrows(ErrnoException.class, shm::map);
            assertEquals("shmctl(id " + shm.id() + ", IPC_STAT) failed: EINVAL (Invalid argument)", e.getMessage());
            assertTrue(SharedMemoryListing.systemV().stream().noneMatch(i -> i.id() == shm.id()));
        }
    }

    @Test
    void aMappingMarkedForRemovalTakesTheSegmentWithItWhenClosed() throws Exception {
        int key = uniqueKey();
        try (SysVSharedMemory shm = SysVSharedMemory.create(key, 4096)) {
            Mapping m = shm.mapAndMarkForRemoval();
            m.setIntRelease(0, 42);
            SysVStat stat = shm.stat();
            assertTrue(stat.markedForRemoval());
            assertEquals(0, stat.key(), "a removed segment loses its key");
            assertEquals(1, stat.attachCount());
            SharedMemoryInfo listed = SharedMemoryListing.systemV().stream()
                    .filter(i -> i.id() == shm.id()).findFirst().orElseThrow();
            assertTrue(listed.markedForRemoval());
            assertEquals("ENOENT", assertThrows(ErrnoException.class, () -> SysVSharedMemory.open(key)).errnoName(),
                    "the key is free again");
            try (Mapping second = SysVSharedMemory.ofId(shm.id()).map()) {
                assertEquals(42, second.getIntAcquire(0), "Linux still attaches by id until the last detach");
            }
            m.close();
            assertEquals("EINVAL", assertThrows(ErrnoException.class, shm::stat).errnoName());
        }
    }

    @Test
    void errorsNameTheKeyAndTheErrno() throws Exception {
        int key = uniqueKey();
        String hexKey = String.format("0x%08x", key);
        assertEquals("shmget(key " + hexKey + ", 0 bytes, 0600) failed: ENOENT (No such file or directory)",
                assertThrows(ErrnoException.class, () -> SysVSharedMemory.open(key)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SysVSharedMemory.create(key, 0));
        assertThrows(IllegalArgumentException.class, () -> SysVSharedMemory.create(key, -1));
        assertThrows(IllegalArgumentException.class, () -> SysVSharedMemory.create(0, 4096), "IPC_PRIVATE");
        assertThrows(IllegalArgumentException.class, () -> SysVSharedMemory.ftok(dir, 0));
        assertEquals("ENOENT", assertThrows(ErrnoException.class,
                () -> SysVSharedMemory.ftok(dir.resolve("missing"), 1)).errnoName());
        ErrnoException huge = assertThrows(ErrnoException.class, () -> SysVSharedMemory.create(key, Long.MAX_VALUE));
        assertTrue(huge.getMessage().startsWith("shmget(key " + hexKey + ", " + Long.MAX_VALUE + " bytes, "),
                huge.getMessage());
        try (SysVSharedMemory shm = SysVSharedMemory.create(key, 4096)) {
            try {
                assertEquals("shmget(key " + hexKey + ", 4096 bytes, IPC_CREAT|IPC_EXCL|0600) failed: EEXIST (File exists)",
                        assertThrows(ErrnoException.class, () -> SysVSharedMemory.create(key, 4096)).getMessage());
                try (SysVSharedMemory again = SysVSharedMemory.openOrCreate(key, 4096, 0600)) {
                    assertFalse(again.created());
                    assertEquals(shm.id(), again.id());
                }
                Mapping ro = shm.mapReadOnly();
                assertThrows(IllegalArgumentException.class, () -> ro.segment().set(ValueLayout.JAVA_INT, 0, 1));
                shm.close(); // detaches ro
                assertThrows(IllegalStateException.class, () -> ro.getIntAcquire(0));
                assertEquals(0, SysVSharedMemory.ofId(shm.id()).stat().attachCount());
            } finally {
                SysVSharedMemory.remove(shm.id());
            }
        }
    }

    @Test
    void aPrivateSegmentIsReachedByItsId() throws Exception {
        try (SysVSharedMemory shm = SysVSharedMemory.createPrivate(4096); Mapping m = shm.mapAndMarkForRemoval()) {
            assertEquals(0, shm.key());
            m.setString(0, "private");
            try (SysVSharedMemory byId = SysVSharedMemory.ofId(shm.id()); Mapping other = byId.mapReadOnly()) {
                assertEquals("private", other.getString(0));
            }
        }
    }
}
