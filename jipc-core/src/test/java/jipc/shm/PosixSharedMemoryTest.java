package jipc.shm;

import static jipc.shm.ShmTestSupport.uniqueName;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jipc.ErrnoException;
import jipc.io.FileStat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** POSIX shared memory in one process: creation, names, sizes, modes, mappings and their errors. */
class PosixSharedMemoryTest {

    @AfterAll
    static void nothingLeft() throws Exception {
        ShmTestSupport.assertNothingLeft();
    }

    @Test
    void createMakesAZeroedObjectWithExactModeAndReservedPages() throws Exception {
        String name = uniqueName("create");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 10_000, 0666)) {
            FileStat stat = FileStat.ofLink("/dev/shm" + name);
            assertEquals(0666, stat.permissions(), "fchmod must undo the umask");
            assertEquals(10_000, stat.size());
            assertEquals(10_000, shm.size());
            assertTrue(shm.created());
            // fallocate allocated the pages: the file is not sparse (stat %b counts 512-byte blocks).
            ShmTestSupport.Result blocks = ShmTestSupport.run(List.of("stat", "-c", "%b", "/dev/shm" + name));
            assertTrue(Long.parseLong(blocks.output().trim()) * 512 >= 10_000, blocks.output());
            SharedMemoryInfo listed = SharedMemoryListing.posix().stream()
                    .filter(i -> i.name().equals(name)).findFirst().orElseThrow();
            assertEquals(new SharedMemoryInfo(SharedMemoryInfo.Kind.POSIX, name, 0, -1, 10_000, stat.uid(), 0666,
                    -1, 0, 0, SharedMemoryInfo.Liveness.UNKNOWN, false), listed);
            try (Mapping m = shm.map()) {
                assertEquals(10_000, m.size());
                assertArrayEquals(new byte[10_000], m.getBytes(0, 10_000));
            }
        } finally {
            PosixSharedMemory.unlink(name);
        }
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 1)) {
            assertEquals(0600, FileStat.ofLink("/dev/shm" + name).permissions(), "default mode");
            shm.unlink();
        }
        assertFalse(Files.exists(Path.of("/dev/shm" + name)));
    }

    @Test
    void badNamesAreRefusedNamingTheRule() throws Exception {
        assertRefused("jipc", "must start with '/'");
        assertRefused("", "must start with '/'");
        assertRefused("/a/b", "must not contain '/' after the first character");
        assertRefused("/", "at least one character");
        assertRefused("/a\0b", "must not contain NUL");
        assertRefused("/" + "x".repeat(256), "256 bytes after '/', more than NAME_MAX=255");
        assertRefused("/..", "is not a file name");
        // 255 bytes after the '/' is the longest name that works.
        String longest = ShmTestSupport.PREFIX + "x".repeat(255 - ShmTestSupport.PREFIX.length() + 1);
        try (PosixSharedMemory shm = PosixSharedMemory.create(longest, 1)) {
            shm.unlink();
        }
    }

    private static void assertRefused(String name, String rule) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PosixSharedMemory.create(name, 4096));
        assertTrue(e.getMessage().contains(rule), e.getMessage());
    }

    @Test
    void sizesMustBePositiveAndFitInDevShm() throws Exception {
        String name = uniqueName("size");
        assertEquals("size=0 must be > 0", assertThrows(IllegalArgumentException.class,
                () -> PosixSharedMemory.create(name, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PosixSharedMemory.create(name, -1));
        assertThrows(IllegalArgumentException.class, () -> PosixSharedMemory.openOrCreate(name, -4096));

        long total = Files.getFileStore(Path.of("/dev/shm")).getTotalSpace();
        assumeTrue(total > 0, "/dev/shm has no size limit here: a huge object would really be allocated");
        ErrnoException e = assertThrows(ErrnoException.class, () -> PosixSharedMemory.create(name, total * 2));
        // ENOMEM: refused before fallocate when larger than MemAvailable (reserving it would wake the OOM killer)
        assertTrue(e.is("ENOSPC") || e.is("ENOMEM"), e.getMessage());
        assertTrue(e.getMessage().startsWith("fallocate(\"" + name + "\", "), e.getMessage());
        ErrnoException max = assertThrows(ErrnoException.class, () -> PosixSharedMemory.create(name, Long.MAX_VALUE));
        assertTrue(max.is("ENOSPC") || max.is("EFBIG") || max.is("ENOMEM"), max.getMessage());
        assertFalse(Files.exists(Path.of("/dev/shm" + name)), "a failed create must not leave the object behind");
    }

    @Test
    void createOfAnExistingNameIsEexistAndOpenOfAMissingOneIsEnoent() throws Exception {
        String name = uniqueName("exists");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096)) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> PosixSharedMemory.create(name, 4096));
            assertEquals("shm_open(\"" + name + "\", O_RDWR|O_CREAT|O_EXCL, 0600) failed: EEXIST (File exists)",
                    e.getMessage());
            shm.unlink();
        }
        ErrnoException e = assertThrows(ErrnoException.class, () -> PosixSharedMemory.open(name));
        assertEquals("shm_open(\"" + name + "\", O_RDWR) failed: ENOENT (No such file or directory)", e.getMessage());
        assertEquals("ENOENT", assertThrows(ErrnoException.class, () -> PosixSharedMemory.unlink(name)).errnoName());
        assertFalse(PosixSharedMemory.unlinkIfExists(name));
    }

    @Test
    void openOrCreateCreatesOnceThenOpensAndGrowsToTheAskedSize() throws Exception {
        String name = uniqueName("ooc");
        try (PosixSharedMemory first = PosixSharedMemory.openOrCreate(name, 4096);
             PosixSharedMemory second = PosixSharedMemory.openOrCreate(name, 8192);
             Mapping a = first.map()) {
            assertTrue(first.created());
            assertFalse(second.created());
            assertEquals(8192, first.size(), "the second opener grew it");
            a.setString(0, "shared");
            try (Mapping b = second.map()) {
                assertEquals(8192, b.size());
                assertEquals("shared", b.getString(0));
            }
        } finally {
            PosixSharedMemory.unlink(name);
        }
    }

    @Test
    void readOnlyMappingThrowsOnWriteInsteadOfFaulting() throws Exception {
        String name = uniqueName("ro");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096);
             PosixSharedMemory reader = PosixSharedMemory.openReadOnly(name)) {
            shm.unlink();
            try (Mapping rw = shm.map()) {
                rw.setString(0, "written");
            }
            Mapping ro = reader.mapReadOnly();
            assertTrue(ro.isReadOnly());
            assertTrue(ro.segment().isReadOnly());
            assertEquals("written", ro.getString(0));
            MemorySegment segment = ro.segment();
            assertThrows(IllegalArgumentException.class, () -> segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            assertThrows(IllegalArgumentException.class, () -> ro.setString(0, "no"));
            assertThrows(IllegalArgumentException.class, () -> ro.setIntRelease(0, 1));
            assertThrows(IllegalArgumentException.class, () -> ro.getAndAddLong(8, 1));
            ByteBuffer buffer = ro.asByteBuffer();
            assertThrows(ReadOnlyBufferException.class, () -> buffer.put(0, (byte) 1));
            assertEquals("written", ro.getString(0), "nothing changed");
            // A read-only handle cannot make a writable mapping: the kernel says EACCES.
            ErrnoException e = assertThrows(ErrnoException.class, reader::map);
            assertEquals("EACCES", e.errnoName());
            assertTrue(e.getMessage().startsWith("mmap(\"" + name + "\", 4096 bytes, PROT_READ|PROT_WRITE"),
                    e.getMessage());
        }
    }

    @Test
    void useAfterCloseThrowsIllegalStateException() throws Exception {
        String name = uniqueName("closed");
        PosixSharedMemory shm = PosixSharedMemory.create(name, 4096);
        shm.unlink();
        Mapping own = shm.map();
        MemorySegment segment = own.segment();
        ByteBuffer buffer = own.asByteBuffer();
        own.close();
        own.close(); // idempotent
        assertFalse(own.isOpen());
        assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> own.getIntAcquire(0));
        assertThrows(IllegalStateException.class, () -> buffer.get(0));

        Mapping left = shm.map(); // closing the handle closes the mappings it made
        shm.close();
        shm.close();
        assertFalse(left.isOpen());
        assertThrows(IllegalStateException.class, () -> left.getString(0));
        assertThrows(ClosedChannelException.class, shm::map);
        assertThrows(ClosedChannelException.class, shm::size);
    }

    @Test
    void helpersReadAndWriteStringsBytesAndAtomicsAtOffsets() throws Exception {
        String name = uniqueName("helpers");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096); Mapping m = shm.map()) {
            shm.unlink();
            assertEquals(14, m.setString(100, "Grüße, Welt"));
            assertEquals("Grüße, Welt", m.getString(100));
            assertArrayEquals("Grüße".getBytes(StandardCharsets.UTF_8), m.getBytes(100, 7));
            m.setBytes(4090, new byte[] {'e', 'n', 'd', '!', '!', '!'});
            assertEquals("end!!!", m.getString(4090), "a string without NUL ends at the end of the mapping");
            assertThrows(IndexOutOfBoundsException.class, () -> m.setString(4090, "abcdef"));
            assertThrows(IndexOutOfBoundsException.class, () -> m.getBytes(4000, 97));

            assertTrue(m.compareAndSetInt(0, 0, 7));
            assertFalse(m.compareAndSetInt(0, 0, 8));
            assertEquals(7, m.getAndAddInt(0, 5));
            assertEquals(12, m.getIntVolatile(0));
            m.setLongRelease(8, 1L << 40);
            assertEquals(1L << 40, m.getAndAddLong(8, 1));
            assertEquals((1L << 40) + 1, m.getLongAcquire(8));
            assertThrows(IllegalArgumentException.class, () -> m.getAndAddLong(12, 1), "unaligned long");
            assertThrows(IndexOutOfBoundsException.class, () -> m.getIntAcquire(4096));
        }
    }
}
