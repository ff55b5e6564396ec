package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jipc.process.ChildProcess;
import jipc.process.Spawn;
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

            child.destroyForcibly();
            MutexProcessTest.awaitCondition(Duration.ofSeconds(10),
                    () -> ProcessIdentity.readStat(child.pid()).state() == 'Z');
            assertFalse(ProcessIdentity.isAlive(identity), "a zombie has ended");
            child.waitFor();
            assertFalse(ProcessIdentity.isAlive(identity), "a reaped process has ended");
        }
    }
}
