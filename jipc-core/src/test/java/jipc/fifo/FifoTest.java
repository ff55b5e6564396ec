package jipc.fifo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jipc.ErrnoException;
import jipc.io.End;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;
import jipc.process.Spawn;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.CreateFifo;
import jipc.testing.Gcc;
import jipc.testing.JavaCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named pipes: exact modes, refusing what is not a FIFO, ENXIO without reader, and unrelated processes. */
class FifoTest {
    private static final Duration LONG = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void createMakesAFifoWithMode0600ByDefault() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        assertEquals(dir.resolve("f"), fifo.path());
        assertEquals(0010000, (int) Files.getAttribute(fifo.path(), "unix:mode") & 0170000, "a FIFO");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo.path())));
    }

    @Test
    void createGivesExactlyTheModeAskedDespiteTheUmask() throws Exception {
        // The umask (022 for our builds) would narrow 0666 to 0644; create() sets the bits again.
        for (String mode : new String[] {"rw-r--r--", "rw-rw-rw-", "rw-rw----"}) {
            int bits = Integer.parseInt(toOctal(mode), 8);
            Fifo fifo = Fifo.create(dir.resolve("f" + bits), bits);
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo.path())));
        }
        assertThrows(IllegalArgumentException.class, () -> Fifo.create(dir.resolve("g"), 01777));
    }

    @Test
    void createGivesExactlyTheModeAskedUnderAStrictUmask() throws Exception {
        // A child JVM under umask 077, which would leave mkfifo's 0666 at 0600.
        Path path = dir.resolve("shared");
        List<String> argv = new ArrayList<>(List.of("bash", "-c", "umask 077 && exec \"$@\"", "bash"));
        argv.addAll(JavaCommand.argv(CreateFifo.class, path.toString(), "666"));
        Capture.run(Spawn.command(argv)).assertSuccess();
        assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
    }

    private static String toOctal(String rwx) {
        StringBuilder octal = new StringBuilder();
        for (int i = 0; i < 9; i += 3) {
            octal.append((rwx.charAt(i) == 'r' ? 4 : 0) + (rwx.charAt(i + 1) == 'w' ? 2 : 0)
                    + (rwx.charAt(i + 2) == 'x' ? 1 : 0));
        }
        return octal.toString();
    }

    @Test
    void createOverAnExistingPathIsEexist() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "keep me");
        ErrnoException e = assertThrows(ErrnoException.class, () -> Fifo.create(file));
        assertEquals("EEXIST", e.errnoName());
        assertEquals("mkfifo", e.syscall());
        assertEquals("mkfifo(\"" + file + "\", 0600) failed: EEXIST (File exists)", e.getMessage());
        assertEquals("keep me", Files.readString(file));

        Fifo existing = Fifo.create(dir.resolve("fifo"));
        assertEquals("EEXIST", assertThrows(ErrnoException.class, () -> Fifo.create(existing.path())).errnoName());
    }

    @Test
    void createInAMissingDirectoryIsEnoent() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Fifo.create(dir.resolve("no/such/f")));
        assertEquals("ENOENT", e.errnoName());
    }

    @Test
    void atRefusesARegularFileAndASymlinkToAFifo() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        NotAFifoException regular = assertThrows(NotAFifoException.class, () -> Fifo.at(file));
        assertTrue(regular.getMessage().contains("regular file"), regular.getMessage());

        Fifo target = Fifo.create(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target.path());
        NotAFifoException symlink = assertThrows(NotAFifoException.class, () -> Fifo.at(link));
        assertTrue(symlink.getMessage().contains("symbolic link"), symlink.getMessage());

        assertThrows(NotAFifoException.class, () -> Fifo.at(dir), "a directory");
        assertEquals(target.path(), Fifo.at(target.path()).path());
    }

    @Test
    void atForNothingIsEnoent() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Fifo.at(dir.resolve("missing")));
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.getMessage().contains(dir.resolve("missing").toString()), e.getMessage());
    }

    @Test
    void openingAPathReplacedBySymlinkIsRefused() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        Fifo other = Fifo.create(dir.resolve("other"));
        Files.delete(fifo.path());
        Files.createSymbolicLink(fifo.path(), other.path());
        assertThrows(NotAFifoException.class, fifo::openReadNonBlocking, "O_NOFOLLOW: never followed");
    }

    @Test
    void nonBlockingWriteOpenWithoutReaderIsNoReaderNamingOpenAndThePath() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        NoReaderException e = assertThrows(NoReaderException.class, fifo::openWriteNonBlocking);
        assertInstanceOf(ErrnoException.class, e);
        assertEquals(6, e.errno());
        assertEquals("ENXIO", e.errnoName());
        assertEquals("open", e.syscall());
        assertTrue(e.getMessage().startsWith("open(\"" + fifo.path() + "\", O_WRONLY|O_NONBLOCK) failed: ENXIO"),
                e.getMessage());
    }

    @Test
    void nonBlockingOpensPairUpOnceAReaderExists() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        try (ReadEnd reader = fifo.openReadNonBlocking()) {
            assertEquals(-1, reader.read(ByteBuffer.allocate(4)), "Linux: no writer (yet) reads as EOF");
            try (WriteEnd writer = fifo.openWriteNonBlocking()) {
                assertFalse(writer.isBlocking());
                writer.writeFully("abc".getBytes(StandardCharsets.US_ASCII));
            }
            ByteBuffer got = ByteBuffer.allocate(3);
            reader.readFully(got);
            assertEquals("abc", new String(got.array(), StandardCharsets.US_ASCII));
            assertEquals(-1, reader.read(ByteBuffer.allocate(1)), "the only writer closed: EOF");
        }
    }

    @Test
    void openWriteWithTimeoutGivesUpWithNoReader() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        assertThrows(NoReaderException.class, () -> fifo.openWrite(Duration.ofMillis(100)));
    }

    @Test
    void openWriteWithTimeoutSucceedsWhenAShellReaderAppears() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        try (Capture cat = Capture.start(Spawn.command("bash", "-c", "exec cat \"$1\"", "bash", fifo.path().toString()))) {
            try (WriteEnd writer = fifo.openWrite(LONG)) {
                assertTrue(writer.isBlocking());
                writer.writeFully("hello from Java\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("hello from Java\n", cat.finish().assertSuccess().out());
        }
    }

    @Test
    void blockingOpenWritePairsWithAShellReader() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        try (Capture cat = Capture.start(Spawn.command("bash", "-c", "cat \"$1\"", "bash", fifo.path().toString()))) {
            try (WriteEnd writer = openBlocking(fifo::openWrite, fifo::openReadNonBlocking)) {
                writer.writeFully("blocking hello\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("blocking hello\n", cat.finish().assertSuccess().out());
        }
    }

    @Test
    void blockingOpenReadPairsWithAShellWriter() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        try (Capture echo = Capture.start(Spawn.command("bash", "-c", "echo hi > \"$1\"", "bash",
                fifo.path().toString()))) {
            try (ReadEnd reader = openBlocking(fifo::openRead, fifo::openWriteNonBlocking)) {
                assertArrayEquals("hi\n".getBytes(StandardCharsets.UTF_8), reader.readAllBytes());
            }
            echo.finish().assertSuccess();
        }
    }

    @Test
    void aCProgramReadsWhatJavaWritesIntoTheFifo() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        try (Capture reader = Capture.start(Spawn.command(Gcc.program("fifo_reader").toString(),
                fifo.path().toString()))) {
            try (WriteEnd writer = fifo.openWrite(LONG)) {
                writer.writeFully("Hello through a FIFO".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("C reader got: Hello through a FIFO\n", reader.finish().assertSuccess().out());
        }
    }

    @Test
    void unlinkRemovesTheFifo() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        fifo.unlink();
        assertFalse(Files.exists(fifo.path(), LinkOption.NOFOLLOW_LINKS));
        assertEquals("ENOENT", assertThrows(ErrnoException.class, () -> Fifo.at(fifo.path())).errnoName());
        assertFalse(fifo.unlinkIfExists());
        assertEquals("ENOENT", assertThrows(ErrnoException.class, fifo::unlink).errnoName());
    }

    @Test
    void unlinkRefusesSomethingThatIsNotAFifo() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        fifo.unlink();
        Files.writeString(fifo.path(), "planted");
        assertThrows(NotAFifoException.class, fifo::unlink);
        assertThrows(NotAFifoException.class, fifo::unlinkIfExists);
        assertEquals("planted", Files.readString(fifo.path()), "left alone");
    }

    @Test
    void anOpenEndKeepsWorkingAfterUnlink() throws Exception {
        Fifo fifo = Fifo.create(dir.resolve("f"));
        try (ReadEnd reader = fifo.openReadNonBlocking(); WriteEnd writer = fifo.openWriteNonBlocking()) {
            fifo.unlink();
            writer.writeFully(new byte[] {7});
            ByteBuffer one = ByteBuffer.allocate(1);
            reader.readFully(one);
            assertEquals(7, one.get(0));
            assertEquals(65536, reader.pipeCapacity(), "a FIFO is a pipe: same capacity");
        }
    }

    /**
     * Runs a blocking open on a thread of its own. If the other process never comes, opens the other side here
     * so that the blocked open returns (it cannot be interrupted), closes both and fails instead of hanging.
     */
    private static <E extends End> E openBlocking(Callable<E> open, Callable<? extends End> unblock) throws Exception {
        Future<E> opening = Background.call("blocking open", open);
        try {
            return opening.get(LONG.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            try (End rescue = unblock.call(); End opened = opening.get(LONG.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the other process did not open the FIFO within " + LONG
                        + " (rescued " + opened + " with " + rescue + ")");
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : e;
        }
    }
}
