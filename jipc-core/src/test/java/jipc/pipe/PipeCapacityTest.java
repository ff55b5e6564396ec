package jipc.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jipc.ErrnoException;
import jipc.process.Spawn;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import jipc.testing.Kernel;
import jipc.testing.Nobody;
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
        String[] sizes = {String.valueOf(max), String.valueOf(max + 1), String.valueOf(Integer.MAX_VALUE), "1000"};
        List<String> lines;
        if (Kernel.effectiveUid() == 0) {
            // Drop to nobody, who runs a copy of the program that it can reach.
            try (Nobody nobody = Nobody.create()) {
                lines = outputLines(nobody.argv(command(nobody.copy(program), sizes)));
            }
        } else {
            lines = outputLines(command(program, sizes));
        }
        assertEquals(List.of(max + " " + max, (max + 1) + " EPERM", Integer.MAX_VALUE + " EPERM", "1000 4096"), lines);
    }

    private static List<String> command(Path program, String... args) {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static List<String> outputLines(List<String> argv) throws Exception {
        return Capture.run(Spawn.command(argv).directory(Path.of("/"))).assertSuccess().out().lines().toList();
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
