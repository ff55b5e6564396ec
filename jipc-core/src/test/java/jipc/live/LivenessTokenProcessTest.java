package jipc.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.testing.Await;
import jipc.testing.Capture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Liveness tokens of real processes ({@link TokenChild}): a process stays alive to others for as long as it runs,
 * shutdown hooks included (whatever they lock, and whenever), and the dead tokens that processes leave are removed by
 * the next process that makes a token.
 */
class LivenessTokenProcessTest {
    private static final int SIGKILL = 9;

    private final String name = "/jipc-token-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private Path token;

    @AfterEach
    void remove() throws IOException {
        PosixSharedMemory.unlinkIfExists(name);
        if (token != null) {
            Liveness.removeIfDead(token.getFileName().toString());
        }
    }

    private Path awaitToken(Capture child) throws Exception {
        Await.until(Duration.ofSeconds(60), "the child's token", () -> child.outSoFar().contains("token "));
        String line = child.outSoFar().lines().filter(l -> l.startsWith("token ")).findFirst().orElseThrow();
        return Path.of(line.substring("token ".length()));
    }

    private static void kill(Capture child) throws IOException {
        child.child().signal(SIGKILL);
        ExitStatus status = child.child().waitFor(Duration.ofSeconds(30)).orElseThrow();
        assertEquals(SIGKILL, status.signal(), status.toString());
    }

    @Test
    void aProcessRunningItsShutdownHooksIsAliveAndKeepsItsMutexUntilItDies() throws Exception {
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096); Mapping mapping = shm.map()) {
            Mutex mutex = Mutex.create(mapping.segment(), 0);
            try (Capture child = Capture.start(Spawn.java(TokenChild.class, "exit-holding", name))) {
                token = awaitToken(child);
                Await.until(Duration.ofSeconds(60), "the child to run its shutdown hooks",
                        () -> child.outSoFar().contains("in hook"));
                PartyState state = Liveness.checkTokenFile(token.getFileName().toString());
                assertEquals(PartyState.Life.ALIVE, state.life(), "a process in its shutdown hooks is alive: "
                        + state.reason());
                assertEquals(PartyState.Life.ALIVE, mutex.ownerState().life(), mutex.ownerState().reason());
                assertEquals(LockResult.BUSY, mutex.tryLock(), "its main thread still holds the mutex");

                kill(child);
                assertEquals(LockResult.OWNER_DIED, mutex.tryLock(), mutex.toString());
                mutex.markConsistent();
                mutex.unlock();
            }
        }
    }

    @Test
    void aMutexLockedInAShutdownHookAfterJipcsOwnIsHeldByALiveProcess() throws Exception {
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096); Mapping mapping = shm.map()) {
            Mutex mutex = Mutex.create(mapping.segment(), 0);
            try (Capture child = Capture.start(Spawn.java(TokenChild.class, "lock-in-hook", name))) {
                token = awaitToken(child);
                Await.until(Duration.ofSeconds(60), "the child's hook to lock the mutex",
                        () -> child.outSoFar().contains("locked in hook"));
                PartyState owner = mutex.ownerState();
                assertEquals(PartyState.Life.ALIVE, owner.life(), "the holder runs its shutdown hooks: "
                        + owner.reason());
                assertEquals(LockResult.BUSY, mutex.tryLock(), "a hook of a live process holds it");

                kill(child);
                assertEquals(LockResult.OWNER_DIED, mutex.tryLock(), mutex.toString());
                mutex.markConsistent();
                mutex.unlock();
            }
        }
    }

    @Test
    void makingATokenRemovesTheTokensKilledProcessesLeft() throws Exception {
        try (Capture killed = Capture.start(Spawn.java(TokenChild.class, "hold"))) {
            token = awaitToken(killed);
            kill(killed);
        }
        // Another process may have removed it already (any process that makes a token does); if not, it is dead.
        if (Files.exists(token)) {
            assertTrue(Liveness.checkTokenFile(token.getFileName().toString()).isDead());
        }
        Capture.Result made = Capture.run(Spawn.java(TokenChild.class, "make"));
        made.assertSuccess();
        assertFalse(Files.exists(token), token + " is removed by the next process that made a token");
    }
}
