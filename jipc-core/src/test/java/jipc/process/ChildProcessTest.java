package jipc.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.pipe.Pipe;
import jipc.testing.Await;
import jipc.testing.Background;
import org.junit.jupiter.api.Test;

/** Exit statuses, waiting with timeouts, signals, and reaping on close. */
class ChildProcessTest {
    private static final Duration LONG = Duration.ofSeconds(20);

    @Test
    void exitCodesAreReported() throws Exception {
        try (ChildProcess ok = quiet(Spawn.command("true")); ChildProcess code = quiet(Spawn.command("bash", "-c", "exit 42"))) {
            ExitStatus success = ok.waitFor();
            assertTrue(success.success() && success.exited());
            assertEquals(new ExitStatus(0, 0), success);

            ExitStatus failed = code.waitFor();
            assertTrue(failed.exited());
            assertFalse(failed.success() || failed.signaled());
            assertEquals(42, failed.code());
            assertEquals("exit code 42", failed.toString());
            assertEquals(Optional.of(failed), code.exitStatus());
        }
    }

    @Test
    void deathBySignalIsReported() throws Exception {
        try (ChildProcess child = quiet(Spawn.command("bash", "-c", "kill -KILL $$"))) {
            ExitStatus status = child.waitFor();
            assertTrue(status.signaled());
            assertFalse(status.exited() || status.success());
            assertEquals(9, status.signal());
            assertEquals(-1, status.code());
            assertEquals("killed by signal 9", status.toString());
        }
    }

    @Test
    void waitForTimesOutWhileTheChildRuns() throws Exception {
        try (Pipe stdin = Pipe.open(); ChildProcess cat = quiet(Spawn.command("cat").fd(0, stdin.source()))) {
            assertEquals(Optional.empty(), cat.waitFor(Duration.ofMillis(50)));
            assertEquals(Optional.empty(), cat.waitFor(Duration.ZERO));
            assertTrue(cat.isAlive());
            assertEquals(Optional.empty(), cat.exitStatus());

            stdin.sink().close(); // cat sees EOF and exits 0
            assertTrue(cat.waitFor(LONG).orElseThrow().success());
            assertFalse(cat.isAlive());
        }
    }

    @Test
    void destroySendsSigtermAndDestroyForciblySigkill() throws Exception {
        try (Pipe in1 = Pipe.open(); Pipe in2 = Pipe.open();
             ChildProcess term = quiet(Spawn.command("cat").fd(0, in1.source()));
             ChildProcess kill = quiet(Spawn.command("cat").fd(0, in2.source()))) {
            term.destroy();
            kill.destroyForcibly();
            assertEquals(new ExitStatus(-1, 15), term.waitFor(LONG).orElseThrow());
            assertEquals(new ExitStatus(-1, 9), kill.waitFor(LONG).orElseThrow());
            term.destroy(); // reaped: a no-op, never a signal to a recycled pid
        }
    }

    @Test
    void destroyFromAnotherThreadWakesAThreadWaitingWithoutLimit() throws Exception {
        try (Pipe stdin = Pipe.open(); ChildProcess cat = quiet(Spawn.command("cat").fd(0, stdin.source()))) {
            Future<ExitStatus> waiter = Background.call("waiter", cat::waitFor);
            // Let the waiter block in waitFor() first: destroy() must not wait for it to return.
            Await.until(LONG, "the waiter thread to block", () -> !waiter.isDone()
                    && Thread.getAllStackTraces().keySet().stream().anyMatch(t -> isWaitingIn(t, "waitFor")));
            Background.run("destroyer", cat::destroy).get(LONG.toSeconds(), TimeUnit.SECONDS);
            assertEquals(new ExitStatus(-1, 15), waiter.get(LONG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    private static boolean isWaitingIn(Thread thread, String method) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals(ChildProcess.class.getName()) && frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void closeKillsAndReapsARunningChild() throws Exception {
        try (Pipe stdin = Pipe.open()) {
            ChildProcess cat = quiet(Spawn.command("cat").fd(0, stdin.source()));
            Path proc = Path.of("/proc", String.valueOf(cat.pid()));
            assertTrue(Files.exists(proc));
            cat.close();
            assertFalse(Files.exists(proc), "no zombie left: the child was reaped");
            assertEquals(Optional.of(new ExitStatus(-1, 9)), cat.exitStatus());
            cat.close(); // idempotent
        }
    }

    @Test
    void closeAfterANormalExitKeepsTheExitStatus() throws Exception {
        ChildProcess child = quiet(Spawn.command("bash", "-c", "exit 3"));
        Path proc = Path.of("/proc", String.valueOf(child.pid()));
        Await.until(LONG, "the child to exit", () -> !child.isAlive());
        child.close();
        assertFalse(Files.exists(proc));
        assertEquals(Optional.of(new ExitStatus(3, 0)), child.exitStatus());
    }

    private static ChildProcess quiet(Spawn spawn) throws Exception {
        try {
            spawn.nullFd(0);
        } catch (IllegalArgumentException placedAlready) {
            // the test gave it a stdin
        }
        return spawn.nullFd(1).nullFd(2).start();
    }
}
