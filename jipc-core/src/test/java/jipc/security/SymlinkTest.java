package jipc.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jipc.ErrnoException;
import jipc.channel.SharedChannel;
import jipc.fifo.Fifo;
import jipc.fifo.NotAFifoException;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SharedMemoryInfo;
import jipc.shm.SharedMemoryListing;
import jipc.sync.NamedSemaphore;
import jipc.sync.SharedSemaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A symbolic link planted where jipc expects one of its objects is never followed: not by creating (EEXIST), not by
 * opening (ELOOP from {@code O_NOFOLLOW}, named in the exception), not by removing or changing modes. After every
 * refused attempt, the file the link points to still has its bytes and its mode.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SymlinkTest {
    private static final String PREFIX = "/jipc-symlink-" + ProcessHandle.current().pid() + "-";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final byte[] SECRET = "the victim's bytes\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    /** A regular file with known bytes and mode 0644: what an attacker's link points at. */
    private Path victim() throws IOException {
        Path victim = dir.resolve("victim");
        Files.write(victim, SECRET);
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        return victim;
    }

    private static void assertUntouched(Path victim) throws IOException {
        assertArrayEquals(SECRET, Files.readAllBytes(victim), "the link's target was written");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)),
                "the link's target changed mode");
    }

    private static void assertErrno(String errno, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errnoName(), e.getMessage());
        assertTrue(e.getMessage().contains(errno), e.getMessage());
    }

    // ---- FIFOs -------------------------------------------------------------------------------------------------

    @Test
    void creatingAFifoWhereASymlinkIsFailsWithEexist() throws IOException {
        Path victim = victim();
        Path link = Files.createSymbolicLink(dir.resolve("fifo"), victim);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("not-there"));

        assertErrno("EEXIST", () -> Fifo.create(link));
        assertErrno("EEXIST", () -> Fifo.create(link, 0666));
        assertErrno("EEXIST", () -> Fifo.create(dangling));

        assertUntouched(victim);
        assertFalse(Files.exists(dir.resolve("not-there"), LinkOption.NOFOLLOW_LINKS), "mkfifo followed the link");
        assertTrue(Files.isSymbolicLink(link) && Files.isSymbolicLink(dangling), "the links are left as they were");
    }

    @Test
    void aFifoPathThatIsASymlinkIsRefused() throws IOException {
        Fifo real = Fifo.create(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real.path());

        NotAFifoException e = assertThrows(NotAFifoException.class, () -> Fifo.at(link));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertTrue(e.getMessage().contains(link.toString()), e.getMessage());
    }

    @Test
    void openingAFifoReplacedByASymlinkFailsWithEloop() throws IOException {
        Fifo fifo = Fifo.create(dir.resolve("fifo"));
        Fifo other = Fifo.create(dir.resolve("other"));
        Files.delete(fifo.path());
        Files.createSymbolicLink(fifo.path(), other.path()); // swapped in after Fifo.at/create checked the path

        List<Executable> opens = List.of(fifo::openReadNonBlocking, fifo::openWriteNonBlocking,
                () -> fifo.openWrite(Duration.ofMillis(100)));
        for (Executable open : opens) {
            NotAFifoException e = assertThrows(NotAFifoException.class, open);
            assertTrue(e.getMessage().contains("ELOOP") && e.getMessage().contains("O_NOFOLLOW"), e.getMessage());
        }

        Path victim = victim();
        Files.delete(fifo.path());
        Files.createSymbolicLink(fifo.path(), victim);
        NotAFifoException e = assertThrows(NotAFifoException.class, fifo::openReadNonBlocking);
        assertTrue(e.getMessage().contains("ELOOP"), e.getMessage());
        assertUntouched(victim);
    }

    @Test
    void unlinkingAFifoPathThatIsASymlinkRemovesNothing() throws IOException {
        Fifo fifo = Fifo.create(dir.resolve("fifo"));
        Fifo other = Fifo.create(dir.resolve("other"));
        Files.delete(fifo.path());
        Path link = Files.createSymbolicLink(fifo.path(), other.path());

        assertThrows(NotAFifoException.class, fifo::unlink);
        assertThrows(NotAFifoException.class, fifo::unlinkIfExists);
        assertTrue(Files.isSymbolicLink(link), "the link is still there");
        assertTrue(Fifo.at(other.path()).path().equals(other.path()), "the FIFO it points to is still there");
    }

    // ---- names in /dev/shm -------------------------------------------------------------------------------------

    @Test
    void aSymlinkPlantedAsAPosixSharedMemoryObjectIsNeitherOpenedNorCreatedThrough() throws IOException {
        Path victim = victim();
        String name = PREFIX + "shm-" + COUNTER.incrementAndGet();
        Path planted = Path.of("/dev/shm", name.substring(1));
        Files.createSymbolicLink(planted, victim);
        try {
            assertErrno("ELOOP", () -> PosixSharedMemory.open(name));
            assertErrno("ELOOP", () -> PosixSharedMemory.openReadOnly(name));
            assertErrno("ELOOP", () -> PosixSharedMemory.openOrCreate(name, 4096));
            assertErrno("EEXIST", () -> PosixSharedMemory.create(name, 4096));
            assertErrno("ELOOP", () -> SharedSemaphore.open(name));
            assertErrno("EEXIST", () -> SharedSemaphore.create(name, 1));
            assertErrno("ELOOP", () -> SharedChannel.attach(name));
            assertErrno("EEXIST", () -> SharedChannel.create(name, 4096, 64));
            assertFalse(SharedMemoryListing.posix().stream().map(SharedMemoryInfo::name).anyMatch(name::equals),
                    "a symbolic link is not listed as an object");
            assertUntouched(victim);
            assertTrue(Files.isSymbolicLink(planted), "the planted link is left for its owner to remove");
        } finally {
            Files.deleteIfExists(planted);
        }
    }

    @Test
    void aSymlinkPlantedAsANamedSemaphoreIsNeitherOpenedNorCreatedThrough() throws IOException {
        Path victim = victim();
        String name = PREFIX + "sem-" + COUNTER.incrementAndGet();
        Path planted = Path.of("/dev/shm", "sem." + name.substring(1));
        Files.createSymbolicLink(planted, victim);
        try {
            assertErrno("ELOOP", () -> NamedSemaphore.open(name));
            assertErrno("ELOOP", () -> NamedSemaphore.openOrCreate(name, 0));
            assertErrno("EEXIST", () -> NamedSemaphore.create(name, 0, 0666));
            assertUntouched(victim);
            assertTrue(Files.isSymbolicLink(planted), "the planted link is left for its owner to remove");
        } finally {
            Files.deleteIfExists(planted);
        }
    }
}
