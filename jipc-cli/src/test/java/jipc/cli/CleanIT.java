package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.channel.SharedChannel;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SharedMemoryInfo;
import jipc.shm.SharedMemoryListing;
import jipc.shm.SysVSharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code jipc shm ls} and {@code jipc clean} against a child JVM ({@link StaleMaker}) that creates objects and is
 * SIGKILLed, beside objects of this live JVM: only the dead process's objects turn stale, and only they are removed.
 */
@Timeout(180)
class CleanIT {
    private static final long PID = ProcessHandle.current().pid();
    private static final String PREFIX = "/jipc-clean-" + PID;
    /** 0x43 ('C'), 16 bits of the pid, a counter. */
    private static final int KEY = 0x4300_0000 | (int) ((PID & 0xFFFF) << 8);

    private static String state(String ls, String target) {
        for (String line : ls.lines().toList()) {
            List<String> columns = List.of(line.trim().split("\\s+"));
            if (columns.size() > 9 && columns.get(1).equals(target)) {
                return columns.get(9);
            }
        }
        throw new AssertionError("no row for " + target + " in\n" + ls);
    }

    private static boolean exists(String name) {
        return Files.exists(Path.of("/dev/shm" + name));
    }

    private static boolean segmentExists(int id) throws Exception {
        return SharedMemoryListing.systemV().stream().anyMatch(s -> s.id() == id && !s.markedForRemoval());
    }

    @Test
    void cleanRemovesExactlyTheObjectsOfAKilledProcess() throws Exception {
        String consumed = PREFIX + "-consumed";
        String produced = PREFIX + "-produced";
        String plain = PREFIX + "-plain";
        String live = PREFIX + "-live";
        Process child = new ProcessBuilder(Run.JAVA.toString(), "-cp", System.getProperty("java.class.path"),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                StaleMaker.class.getName(), PREFIX, Integer.toString(KEY + 1))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        SysVSharedMemory liveSegment = SysVSharedMemory.create(KEY + 2, 4096);
        int deadId = -1;
        try (SharedChannel _ = SharedChannel.create(live, 1024, 64)) {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String ready = out.readLine(); // the child prints it within seconds, or dies and we read null
            assertTrue(ready != null && ready.startsWith("ready "), "child said: " + ready);
            deadId = Integer.parseInt(ready.substring(6));
            String deadSegment = "id:" + deadId;
            String liveId = "id:" + liveSegment.id();

            String before = Run.jipc("", "shm", "ls").out();
            assertEquals("in-use", state(before, consumed), before);
            assertEquals("in-use", state(before, produced), before);
            assertEquals("unknown", state(before, plain), before);
            assertEquals("in-use", state(before, deadSegment), before);
            assertEquals("in-use", state(before, live), before);
            assertEquals("in-use", state(before, liveId), before);

            child.destroyForcibly(); // SIGKILL: no close(), no unregister, no detach of its own
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(128 + 9, child.exitValue());

            Run.Result ls = Run.jipc("", "shm", "ls", "--why");
            assertEquals(0, ls.exitCode(), ls.err());
            assertEquals("stale", state(ls.out(), consumed), ls.out());
            assertEquals("stale", state(ls.out(), produced), ls.out());
            assertEquals("unknown", state(ls.out(), plain), ls.out());
            assertEquals("stale", state(ls.out(), deadSegment), ls.out());
            assertEquals("in-use", state(ls.out(), live), ls.out());
            assertEquals("in-use", state(ls.out(), liveId), ls.out());

            // A dry run over everything of this user lists the dead process's objects and removes nothing.
            Run.Result dry = Run.jipc("", "clean", "--dry-run");
            assertEquals(0, dry.exitCode(), dry.err());
            List<String> lines = dry.out().lines().toList();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("would remove posix " + consumed + "  jipc channel;")),
                    dry.out());
            assertTrue(lines.contains("would remove sysv  " + deadSegment + "  0 attached; creator pid "
                    + child.pid() + " gone"), dry.out());
            assertFalse(dry.out().contains(live + " ") || dry.out().contains(plain + " ")
                    || dry.out().contains(liveId + " "), dry.out());
            assertTrue(lines.getLast().matches("would remove \\d+ stale objects? \\(\\d+ posix, \\d+ sysv\\); "
                    + "left \\d+ in use, \\d+ unknown \\(dry run: nothing removed\\)"), lines.getLast());
            assertTrue(exists(consumed) && exists(produced) && segmentExists(deadId), "a dry run removes nothing");

            // Removing (limited to this test's objects: other programs' stale objects are not ours to remove here).
            Run.Result clean = Run.jipc("", "clean", consumed, produced, plain, live, deadSegment, liveId);
            assertEquals(0, clean.exitCode(), clean.err());
            List<String> done = clean.out().lines().toList();
            assertEquals("removed 3 stale objects (2 posix, 1 sysv); left 2 in use, 1 unknown", done.getLast(),
                    clean.out());
            assertTrue(done.stream().anyMatch(l -> l.startsWith("removed  posix " + produced + "  jipc channel;")
                    && l.contains("producer pid " + child.pid())), clean.out());
            assertTrue(done.stream().anyMatch(l -> l.startsWith("left     posix " + live + "  jipc channel; creator pid "
                    + PID)), clean.out());
            assertFalse(exists(consumed) || exists(produced), "the stale channels are gone");
            assertFalse(segmentExists(deadId), "the stale segment is gone");
            assertTrue(exists(plain) && exists(live) && segmentExists(liveSegment.id()), "the others stay");

            Run.Result missing = Run.jipc("", "clean", consumed);
            assertEquals(66, missing.exitCode(), missing.out() + missing.err());
            assertEquals("jipc clean: no shared memory object " + consumed + "\n", missing.err());
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            for (String name : List.of(consumed, produced, plain, live)) {
                PosixSharedMemory.unlinkIfExists(name);
            }
            liveSegment.remove();
            for (SharedMemoryInfo info : SharedMemoryListing.systemV()) {
                if (info.key() == KEY + 1 && !info.markedForRemoval()) {
                    SysVSharedMemory.remove(info.id());
                }
            }
        }
    }
}
