package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jipc fifo ...} against real shell peers: bash's {@code cat} reads what jipc writes, and the reverse. */
class FifoCommandsIT {

    @Test
    void createWriteReadRemoveRoundTripWithShellPeers(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("round.fifo");

        Run.Result created = Run.jipc("", "fifo", "create", fifo.toString(), "--mode", "0640");
        assertEquals(0, created.exitCode(), created.err());
        PosixFileAttributes attributes = Files.readAttributes(fifo, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertTrue(attributes.isOther(), "not a FIFO");
        assertEquals("rw-r-----", PosixFilePermissions.toString(attributes.permissions()));

        Process reader = Run.bashBuilder("cat \"$1\"", fifo.toString()).start();
        try {
            Run.Result written = Run.jipc("hello from jipc\n", "fifo", "write", fifo.toString());
            assertEquals(0, written.exitCode(), written.err());
            assertEquals(0, Run.waitFor(reader));
            assertEquals("hello from jipc\n", new String(reader.getInputStream().readAllBytes()));
        } finally {
            reader.destroyForcibly();
        }

        Process writer = Run.bashBuilder("printf 'hello from bash\\n' > \"$1\"", fifo.toString()).start();
        try {
            Run.Result read = Run.jipc("", "fifo", "read", fifo.toString());
            assertEquals(0, read.exitCode(), read.err());
            assertEquals("hello from bash\n", read.out());
            assertEquals(0, Run.waitFor(writer));
        } finally {
            writer.destroyForcibly();
        }

        Run.Result removed = Run.jipc("", "fifo", "rm", fifo.toString());
        assertEquals(0, removed.exitCode(), removed.err());
        assertFalse(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void nonBlockingWriteWithoutReaderExits69WithAOneLineMessage(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("lonely.fifo");
        assertEquals(0, Run.bash("mkfifo -m 600 \"$1\"", fifo.toString()).exitCode());

        Run.Result result = Run.jipc("never delivered", "fifo", "write", "--nonblock", fifo.toString());

        assertEquals(ExitCodes.UNAVAILABLE, result.exitCode(), result.err());
        assertTrue(result.err().contains("ENXIO") && result.err().contains("no process has the FIFO open for reading"),
                result.err());
        result.assertNoStackTrace();
    }

    @Test
    void usageErrorExits64WithAHintAndNoStackTrace() throws Exception {
        Run.Result result = Run.jipc("", "fifo", "create", "--mode", "9999");

        assertEquals(ExitCodes.USAGE, result.exitCode(), result.err());
        assertTrue(result.err().contains("Try 'jipc fifo create --help'"), result.err());
        result.assertNoStackTrace();
    }

    @Test
    void removingAMissingFifoExits66(@TempDir Path dir) throws Exception {
        Run.Result result = Run.jipc("", "fifo", "rm", dir.resolve("missing.fifo").toString());

        assertEquals(ExitCodes.NO_INPUT, result.exitCode(), result.err());
        assertTrue(result.err().contains("ENOENT"), result.err());
        result.assertNoStackTrace();
    }
}
