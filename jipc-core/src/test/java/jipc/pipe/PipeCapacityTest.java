package jipc.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import jipc.ErrnoException;
import jipc.process.Spawn;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import jipc.testing.Kernel;
import org.junit.jupiter.api.Test;

/** F_GETPIPE_SZ / F_SETPIPE_SZ: the default, the kernel's rounding and each limit, reported as the kernel says. */
class PipeCapacityTest {

    @Test
    void defaultCapacityIs64KiB() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertEquals(65536, pipe.capacity());
            assertEquals(65536, pipe.sink().pipeCapacity());
        }
    }

    @Test
    void kernelRoundsASmallSizeUpToOnePage() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertEquals(4096, pipe.setCapacity(1000));
            assertEquals(4096, pipe.capacity());
            assertEquals(16384, pipe.setCapacity(12289), "rounded up to a power-of-two number of pages");
            pipe.source().close();
            assertEquals(16384, pipe.capacity(), "still answered through the sink");
        }
    }

    @Test
    void zeroOrNegativeSizesAreIllegalArguments() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipe.setCapacity(0));
            assertEquals("bytes=0 < 1", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pipe.setCapacity(-4096));
            assertEquals(65536, pipe.capacity());
        }
    }

    @Test
    void aSizeAboveTheLimitIsEpermForThisUnprivilegedProcess() throws Exception {
        assumeFalse(Kernel.hasCapability(Kernel.CAP_SYS_RESOURCE),
                "this process has CAP_SYS_RESOURCE and may exceed pipe-max-size; see the setpriv test");
        int max = Kernel.pipeMaxSize();
        try (Pipe pipe = Pipe.open()) {
            for (int size : new int[] {max + 1, Integer.MAX_VALUE}) {
                ErrnoException e = assertThrows(ErrnoException.class, () -> pipe.setCapacity(size));
                assertEquals("EPERM", e.errnoName());
                assertEquals("fcntl", e.syscall());
                assertTrue(e.getMessage().startsWith("fcntl(fd " + pipe.source().fd().number()
                        + ", F_SETPIPE_SZ, " + size + ") failed: EPERM"), e.getMessage());
            }
            assertEquals(max, pipe.setCapacity(max), "exactly the limit is allowed");
        }
    }

    @Test
    void anUnprivilegedProcessGetsEpermAbovePipeMaxSize() throws Exception {
        int max = Kernel.pipeMaxSize();
        Path program = Gcc.program("set_pipe_size");
        List<String> argv = new ArrayList<>();
        Path copy = null;
        if (Kernel.effectiveUid() == 0) {
            // Drop to nobody; the program must be reachable for that user, so run a world-readable copy.
            Path setpriv = Gcc.onPath("setpriv");
            assumeFalse(setpriv == null, "setpriv (util-linux) is needed to drop root privileges");
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "jipc-setpriv-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            copy = dir.resolve("set_pipe_size");
            Files.copy(program, copy, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
            argv.addAll(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"));
            program = copy;
        }
        argv.add(program.toString());
        argv.addAll(List.of(String.valueOf(max), String.valueOf(max + 1), String.valueOf(Integer.MAX_VALUE), "1000"));
        try {
            Capture.Result result = Capture.run(Spawn.command(argv).directory(Path.of("/"))).assertSuccess();
            assertEquals(List.of(max + " " + max, (max + 1) + " EPERM", Integer.MAX_VALUE + " EPERM", "1000 4096"),
                    result.out().lines().toList());
        } finally {
            if (copy != null) {
                Files.delete(copy);
                Files.delete(copy.getParent());
            }
        }
    }

    @Test
    void shrinkingBelowTheQueuedDataIsEbusy() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.sink().writeFully(new byte[8192]); // two pages queued
            ErrnoException e = assertThrows(ErrnoException.class, () -> pipe.setCapacity(4096));
            assertEquals("EBUSY", e.errnoName());
            assertTrue(e.getMessage().contains("F_SETPIPE_SZ, 4096"), e.getMessage());
            assertEquals(65536, pipe.capacity(), "unchanged");

            pipe.source().readFully(ByteBuffer.allocate(8192));
            assertEquals(4096, pipe.setCapacity(4096), "fine once drained");
        }
    }
}
