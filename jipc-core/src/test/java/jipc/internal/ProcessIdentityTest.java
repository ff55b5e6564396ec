package jipc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jipc.process.ChildProcess;
import jipc.process.Spawn;
import jipc.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner identities: pid plus start time, read from /proc, dead once gone, reused or a zombie. */
class ProcessIdentityTest {
    @TempDir
    Path dir;

    @Test
    void thisProcessIsAliveAndItsPidWithAnotherStartTimeIsNot() {
        long self = ProcessIdentity.self();
        assertEquals(ProcessHandle.current().pid(), ProcessIdentity.pid(self));
        assertTrue(ProcessIdentity.isAlive(self));
        assertFalse(ProcessIdentity.isAlive(ProcessIdentity.of(ProcessIdentity.pid(self),
                ProcessIdentity.startTime(self) + 1L)));
        assertFalse(ProcessIdentity.isAlive(0));
    }

    @Test
    void processIsDeadAsZombieAndAfterReapingEvenWithParenthesesInItsName() throws Exception {
        // A command name with ") " in it must not shift the fields of /proc/PID/stat.
        Path sleeper = Files.copy(Path.of("/bin/sleep"), dir.resolve("a) (b"));
        try (ChildProcess child = Spawn.command(sleeper.toString(), "60").start()) {
            ProcessIdentity.Stat stat = ProcessIdentity.readStat(child.pid());
            long identity = ProcessIdentity.of(child.pid(), stat.startTime());
            assertTrue(ProcessIdentity.isAlive(identity), "state " + stat.state());
            assertTrue(ProcessIdentity.isAlive(child.pid(), stat.startTime()));
            assertFalse(ProcessIdentity.isAlive(child.pid(), stat.startTime() + 1), "another start time is another process");

            child.destroyForcibly();
            Await.until(Duration.ofSeconds(10), "the killed child to become a zombie",
                    () -> ProcessIdentity.readStat(child.pid()).state() == 'Z');
            assertFalse(ProcessIdentity.isAlive(child.pid(), stat.startTime()), "a zombie has ended (full start time)");
            assertFalse(ProcessIdentity.isAlive(identity), "a zombie has ended");
            child.waitFor();
            assertFalse(ProcessIdentity.isAlive(identity), "a reaped process has ended");
        }
    }
}
