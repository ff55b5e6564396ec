package jipc.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jipc.ErrnoException;
import jipc.io.HasFd;
import jipc.pipe.Pipe;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import jipc.testing.Kernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a spawned child gets: descriptors at the chosen numbers and no others, clean signal state, env, cwd. */
class SpawnTest {
    private static final int SIGQUIT = 3;
    private static final int SIGPIPE = 13;

    @Test
    void placesDescriptorsAt3And4AndNothingElseAbove2() throws Exception {
        try (Pipe a = Pipe.open(); Pipe b = Pipe.open()) {
            String pipeA = Kernel.target(a.source().fd().number());
            String pipeB = Kernel.target(b.source().fd().number());
            Map<Integer, String> fds = describeChild(Spawn.command(describeSelf())
                    .fd(3, a.source()).fd(4, b.source()));
            assertEquals(List.of(0, 1, 2, 3, 4), List.copyOf(fds.keySet()), fds.toString());
            assertEquals("/dev/null", fds.get(0));
            assertEquals(pipeA, fds.get(3));
            assertEquals(pipeB, fds.get(4));
        }
    }

    @Test
    void swappedNumbersArriveRight() throws Exception {
        // Each source number is the other's target: a naive dup2 sequence would overwrite one with the other.
        try (Pipe a = Pipe.open(); Pipe b = Pipe.open()) {
            int x = a.source().fd().number();
            int y = b.source().fd().number();
            Map<Integer, String> fds = describeChild(Spawn.command(describeSelf())
                    .shareFd(y, a.source()).shareFd(x, b.source()));
            assertEquals(List.of(0, 1, 2, Math.min(x, y), Math.max(x, y)), List.copyOf(fds.keySet()), fds.toString());
            assertEquals(Kernel.target(x), fds.get(y));
            assertEquals(Kernel.target(y), fds.get(x));
            assertTrue(a.source().isOpen() && b.source().isOpen(), "shareFd keeps the parent's copies");
        }
    }

    @Test
    void theSameDescriptorCanBePlacedAtSeveralNumbersAndGapsAreClosed() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            String target = Kernel.target(pipe.sink().fd().number());
            Map<Integer, String> fds = describeChild(Spawn.command(describeSelf())
                    .shareFd(3, pipe.sink()).shareFd(7, pipe.sink()));
            assertEquals(List.of(0, 1, 2, 3, 7), List.copyOf(fds.keySet()), fds.toString());
            assertEquals(target, fds.get(3));
            assertEquals(target, fds.get(7));
        }
    }

    @Test
    void childWithNothingPlacedHasOnlyStdinStdoutAndStderr() throws Exception {
        Map<Integer, String> fds = describeChild(Spawn.command(describeSelf()));
        assertEquals(List.of(0, 1, 2), List.copyOf(fds.keySet()), "the JVM's descriptors leaked: " + fds);
    }

    @Test
    void childStartsWithAnEmptySignalMaskAndDefaultDispositions() throws Exception {
        Capture.Result result = Capture.run(Spawn.command(describeSelf())).assertSuccess();
        List<String> lines = result.out().lines().toList();
        BigInteger blocked = Kernel.mask(lines, "SigBlk");
        BigInteger ignored = Kernel.mask(lines, "SigIgn");
        assertTrue(!blocked.testBit(SIGQUIT - 1) && !ignored.testBit(SIGPIPE - 1) && !ignored.testBit(SIGQUIT - 1),
                "SIGQUIT/SIGPIPE not default in the child: " + lines);
        assertEquals(BigInteger.ZERO, blocked, "SigBlk of the child");
        assertEquals(BigInteger.ZERO, ignored, "SigIgn of the child");
    }

    @Test
    void aMissingProgramIsEnoentNamingPosixSpawnpAndTheProgram() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Spawn spawn = Spawn.command("jipc-no-such-program", "arg").fd(3, pipe.source());
            ErrnoException e = assertThrows(ErrnoException.class, spawn::start);
            assertEquals("ENOENT", e.errnoName());
            assertEquals("posix_spawnp", e.syscall());
            assertEquals("posix_spawnp(\"jipc-no-such-program\") failed: ENOENT (No such file or directory)",
                    e.getMessage());
            assertTrue(pipe.source().isOpen(), "nothing started, so nothing handed over is closed");
        }
    }

    @Test
    void aClosedDescriptorCannotBePlaced() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.source().close();
            assertThrows(ClosedChannelException.class, () -> Spawn.command("true").fd(3, pipe.source()).start());
        }
    }

    @Test
    void badPlacementsAreIllegalArguments() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            HasFd end = pipe.source();
            assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").fd(-1, end));
            assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").fd(1024, end));
            assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").fd(3, end).shareFd(3, end));
            assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").nullFd(0).fd(0, end));
            assertThrows(IllegalArgumentException.class, Spawn::command);
            assertThrows(IllegalArgumentException.class, () -> Spawn.command("echo", "a\0b"));
            assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").env("A=B", "c"));
        }
    }

    @Test
    void environmentEntriesCanBeSetAndRemoved() throws Exception {
        Capture.Result set = Capture.run(Spawn.command("bash", "-c", "printf '%s' \"$JIPC_TEST_VALUE\"")
                .env("JIPC_TEST_VALUE", "from the parent")).assertSuccess();
        assertEquals("from the parent", set.out());

        Capture.Result removed = Capture.run(Spawn.command("bash", "-c", "printf '%s' \"${HOME-unset}\"")
                .unsetEnv("HOME"));
        assertEquals("unset", removed.out());
    }

    @Test
    void directoryIsTheChildsWorkingDirectory(@TempDir Path dir) throws Exception {
        Capture.Result result = Capture.run(Spawn.command("pwd").directory(dir)).assertSuccess();
        assertEquals(dir.toRealPath().toString(), result.out().strip());
    }

    @Test
    void aMissingDirectoryFailsTheSpawn(@TempDir Path dir) throws Exception {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Spawn.command("pwd").directory(dir.resolve("missing")).nullFd(0).nullFd(1).start());
        assertEquals("ENOENT", e.errnoName());
        assertEquals("posix_spawnp(\"pwd\", in directory \"" + dir.resolve("missing")
                + "\") failed: ENOENT (No such file or directory)", e.getMessage());
    }

    /** Runs describe_self under {@code spawn} and returns its "fd N target" lines as a map. */
    private static Map<Integer, String> describeChild(Spawn spawn) throws IOException {
        Capture.Result result = Capture.run(spawn).assertSuccess();
        Map<Integer, String> fds = new TreeMap<>();
        for (String line : result.out().lines().toList()) {
            if (line.startsWith("fd ")) {
                String[] parts = line.split(" ", 3);
                fds.put(Integer.parseInt(parts[1]), parts[2]);
            }
        }
        return fds;
    }

    private static String describeSelf() {
        return Gcc.program("describe_self").toString();
    }
}
