package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;

import jipc.testing.Await;
import jipc.testing.Capture;
import jipc.testing.Python;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Semaphores between Java and Python ({@code python/tests/sync_peer.py} over {@code jipc.Semaphore}, built on the C
 * twin {@code native/jipc_sem.c}, and {@code jipc.NamedSemaphore}): ping-pong rounds in which each side sleeps in
 * the other's wake, a Python waiter killed asleep whose count the next wake-up forgets, and the package's own
 * semaphore unit tests ({@code python/tests/test_sync.py}).
 */
class PythonSyncTest {
    private static final int ROUNDS = 10_000;

    private String ping;
    private String pong;

    @BeforeEach
    void names() {
        String base = "/jipc-py-sem-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        ping = base + "-ping";
        pong = base + "-pong";
    }

    @AfterEach
    void unlink() throws IOException {
        for (String name : new String[] {ping, pong}) {
            SharedSemaphore.unlinkIfExists(name);
            NamedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void javaAndPythonTakeTurnsOnJipcSemaphoresTenThousandTimes() throws Exception {
        Python.interpreter();
        try (SharedSemaphore p = SharedSemaphore.createBinary(ping, false);
             SharedSemaphore q = SharedSemaphore.createBinary(pong, false);
             Capture peer = Capture.start(Python.script("sync_peer.py", "pingpong", "shared", ping, pong,
                     "" + ROUNDS))) {
            for (int i = 0; i < ROUNDS; i++) {
                p.semaphore().release();
                assertTrue(q.semaphore().tryAcquire(Duration.ofSeconds(30)), "round " + i + ": no pong within 30 s");
            }
            assertEquals("done " + ROUNDS + "\n", peer.finish(Duration.ofSeconds(30)).assertSuccess().out());
            assertEquals(0, p.semaphore().availablePermits());
            assertEquals(0, q.semaphore().availablePermits());
        }
    }

    @Test
    void javaAndPythonTakeTurnsOnNamedPosixSemaphoresTenThousandTimes() throws Exception {
        Python.interpreter();
        try (NamedSemaphore p = NamedSemaphore.create(ping, 0);
             NamedSemaphore q = NamedSemaphore.create(pong, 0);
             Capture peer = Capture.start(Python.script("sync_peer.py", "pingpong", "named", ping, pong,
                     "" + ROUNDS))) {
            for (int i = 0; i < ROUNDS; i++) {
                p.post();
                assertTrue(q.tryAcquire(Duration.ofSeconds(30)), "round " + i + ": no pong within 30 s");
            }
            assertEquals("done " + ROUNDS + "\n", peer.finish(Duration.ofSeconds(30)).assertSuccess().out());
        }
    }

    @Test
    void aPythonWaiterKilledAsleepIsForgottenAfterTheNextWakeThatReachesNobody() throws Exception {
        Python.interpreter();
        try (SharedSemaphore s = SharedSemaphore.createBinary(ping, false);
             Capture peer = Capture.start(Python.script("sync_peer.py", "wait", "shared", ping))) {
            Semaphore semaphore = s.semaphore();
            Await.until(Duration.ofSeconds(30), "the Python waiter to count itself and sleep",
                    () -> semaphore.toString().contains("waiters=1"));
            peer.child().destroyForcibly();
            peer.child().waitFor(Duration.ofSeconds(10)).orElseThrow();
            semaphore.release(); // its FUTEX_WAKE reaches nobody: the dead waiter's entry is freed
            Await.until(Duration.ofSeconds(10), "the dead waiter to be forgotten",
                    () -> semaphore.toString().contains("waiters=0"));
            assertEquals(1, semaphore.availablePermits());
        }
    }

    @Test
    void pythonSemaphoreUnitTestsPass() throws Exception {
        Python.interpreter();
        Capture.Result result = Python.unittest(Duration.ofSeconds(120), "test_sync");
        assertTrue(result.err().contains("OK"), result.err());
    }
}
