package jipc.stale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jipc.channel.SharedChannel;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SharedMemoryInfo;
import jipc.shm.SharedMemoryListing;
import jipc.shm.SysVSharedMemory;
import jipc.testing.Await;
import jipc.testing.Capture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stale objects across real processes: a child JVM creates them and is SIGKILLed. */
@Timeout(120)
class StaleObjectsTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final String PREFIX = "/jipc-stale-" + PID;
    /** 0x53 ('S'), 16 bits of the pid, then 0 and 1 for the child's two segments. */
    private static final int KEY = 0x5300_0000 | (int) ((PID & 0xFFFF) << 8);
    private static final List<String> NAMES = List.of("-consumed", "-produced", "-created", "-plain", "-mine");

    @AfterEach
    void removeLeftovers() throws Exception {
        for (String suffix : NAMES) {
            PosixSharedMemory.unlinkIfExists(PREFIX + suffix);
        }
        for (SharedMemoryInfo info : SharedMemoryListing.systemV()) {
            if ((info.key() == KEY || info.key() == KEY + 1) && !info.markedForRemoval()) {
                SysVSharedMemory.remove(info.id());
            }
        }
    }

    /** Verdicts on this test's objects, by target. */
    private static Map<String, Verdict> ours() throws Exception {
        Map<String, Verdict> ours = new HashMap<>();
        for (Verdict verdict : StaleObjects.scan()) {
            SharedMemoryInfo info = verdict.object();
            boolean mine = info.kind() == SharedMemoryInfo.Kind.SYSV
                    ? info.key() == KEY || info.key() == KEY + 1 : info.name().startsWith(PREFIX + "-");
            if (mine) {
                ours.put(verdict.target(), verdict);
            }
        }
        return ours;
    }

    private static void assertStaleness(Staleness expected, Verdict verdict) {
        assertNotNull(verdict);
        assertEquals(expected, verdict.staleness(), verdict.toString());
    }

    @Test
    void onlyTheObjectsOfAKilledProcessAreStaleAndOnlyTheyAreRemoved() throws Exception {
        try (Capture child = Capture.start(Spawn.java(StaleChild.class, PREFIX, Integer.toString(KEY)));
             SharedChannel mine = SharedChannel.create(PREFIX + "-mine", 1024, 64)) {
            Await.until(Duration.ofSeconds(60), "the child to create its objects",
                    () -> child.outSoFar().contains("ready"));
            String[] ready = child.outSoFar().strip().split(" ");
            String detached = "id:" + ready[1];
            String attached = "id:" + ready[2];

            Map<String, Verdict> alive = ours();
            assertStaleness(Staleness.IN_USE, alive.get(PREFIX + "-consumed"));
            assertTrue(alive.get(PREFIX + "-consumed").reason().contains("consumer pid " + child.child().pid()),
                    alive.get(PREFIX + "-consumed").reason());
            assertStaleness(Staleness.IN_USE, alive.get(PREFIX + "-produced"));
            assertStaleness(Staleness.IN_USE, alive.get(PREFIX + "-created"));
            assertStaleness(Staleness.UNKNOWN, alive.get(PREFIX + "-plain"));
            assertStaleness(Staleness.IN_USE, alive.get(PREFIX + "-rpc"));
            assertTrue(alive.get(PREFIX + "-rpc").reason().startsWith("jipc rpc object; creator pid " + child.child().pid()),
                    alive.get(PREFIX + "-rpc").reason());
            assertStaleness(Staleness.IN_USE, alive.get(PREFIX + "-mine"));
            assertStaleness(Staleness.IN_USE, alive.get(detached));
            assertEquals("creator pid " + child.child().pid() + " may run", alive.get(detached).reason());
            assertStaleness(Staleness.IN_USE, alive.get(attached));
            assertEquals("1 attached", alive.get(attached).reason());

            try (SharedChannel heldHere = SharedChannel.attach(PREFIX + "-created")) {
                child.child().destroyForcibly();
                ExitStatus status = child.child().waitFor(Duration.ofSeconds(30)).orElseThrow();
                assertEquals(9, status.signal(), status.toString());

                Map<String, Verdict> dead = ours();
                assertStaleness(Staleness.STALE, dead.get(PREFIX + "-consumed"));
                assertStaleness(Staleness.STALE, dead.get(PREFIX + "-produced"));
                assertTrue(dead.get(PREFIX + "-produced").reason().contains("producer pid " + child.child().pid()),
                        dead.get(PREFIX + "-produced").reason());
                assertStaleness(Staleness.IN_USE, dead.get(PREFIX + "-created"));
                assertTrue(dead.get(PREFIX + "-created").reason().contains("mapped or open"),
                        dead.get(PREFIX + "-created").reason());
                assertStaleness(Staleness.UNKNOWN, dead.get(PREFIX + "-plain"));
                assertStaleness(Staleness.STALE, dead.get(PREFIX + "-rpc"));
                assertTrue(dead.get(PREFIX + "-rpc").reason().contains("service pid " + child.child().pid() + " dead"),
                        dead.get(PREFIX + "-rpc").reason());
                assertStaleness(Staleness.IN_USE, dead.get(PREFIX + "-mine"));
                assertStaleness(Staleness.STALE, dead.get(detached));
                assertEquals("0 attached; creator pid " + child.child().pid() + " gone", dead.get(detached).reason());
                assertStaleness(Staleness.STALE, dead.get(attached));

                for (Verdict verdict : dead.values()) {
                    Verdict fresh = StaleObjects.removeIfStale(verdict.object());
                    assertEquals(verdict.staleness(), fresh.staleness(), fresh.toString());
                }
                Map<String, Verdict> left = ours();
                assertEquals(List.of(PREFIX + "-created", PREFIX + "-mine", PREFIX + "-plain"),
                        left.keySet().stream().sorted().toList(), left.toString());
                assertFalse(Files.exists(Path.of("/dev/shm" + PREFIX + "-consumed")));
                assertNull(StaleObjects.removeIfStale(dead.get(detached).object()), "removed already");
            }
            // Once this process lets go, the channel the dead child created is stale too.
            Verdict created = ours().get(PREFIX + "-created");
            assertStaleness(Staleness.STALE, created);
            assertTrue(StaleObjects.removeIfStale(created.object()).isStale());
            assertFalse(Files.exists(Path.of("/dev/shm" + PREFIX + "-created")));
        }
    }

    @Test
    void aLiveProcessThatStartedAfterTheRecordedTimeIsAReusedPid() {
        int self = (int) PID;
        assertNull(ProcessClock.whyGone(self, Instant.now()), "this process may be the one recorded now");
        String why = ProcessClock.whyGone(self, Instant.now().minus(Duration.ofDays(400)));
        assertNotNull(why, "this process did not exist 400 days ago");
        assertTrue(why.startsWith("gone (pid reused by a process started at "), why);
        assertEquals("gone", ProcessClock.whyGone(Integer.MAX_VALUE - 1, Instant.now()));
    }
}
