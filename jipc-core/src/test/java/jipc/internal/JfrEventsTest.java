package jipc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jipc.channel.ChannelDescriptor;
import jipc.channel.OneToOneChannel;
import jipc.channel.RoleChild;
import jipc.channel.SharedChannel;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.sync.SyncChild;
import jipc.testing.Await;
import jipc.testing.Capture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jipc's JFR events, recorded in this JVM with {@link Recording} while real scenarios run: a consumer that sleeps
 * in the kernel and is woken ({@code jipc.ChannelWait}), a consumer role taken over from a child JVM killed with
 * SIGKILL ({@code jipc.Recovery}), a mutex whose holder (a child JVM) was killed ({@code jipc.OwnerDied}); and a
 * child JVM without {@code jdk.jfr} ({@code --limit-modules java.base}) that waits and recovers all the same.
 */
class JfrEventsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final String name = "/jipc-jfr-" + ProcessHandle.current().pid();

    @Test
    void aSleepingConsumerWokenByAProducerIsOneChannelWaitAndAWaitThatNeverSleptIsNone() throws Exception {
        assertTrue(Jfr.PRESENT, "jdk.jfr is in this JVM");
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64)) {
            MemorySegment segment = shared.mapping().segment();
            OneToOneChannel consumer = (OneToOneChannel) shared.messageChannel(); // named: "channel /..."
            OneToOneChannel producer = OneToOneChannel.attach(segment);
            List<RecordedEvent> events = record(() -> {
                // a message already there: poll returns at once, nothing recorded
                assertTrue(producer.offer(1, new byte[8], 0, 8));
                assertEquals(1, consumer.poll((type, payload) -> { }, Duration.ofSeconds(5)));
                // a virtual thread parks in FutexWaiters once it sleeps (with futex_waitv, Linux 5.16+): parked
                // after it announced itself means asleep, so the offer below wakes it rather than its re-check
                assertTrue(FutexWaiters.available(), "futex_waitv: virtual threads park on futex words");
                Thread[] thread = new Thread[1];
                Future<Integer> received = new java.util.concurrent.FutureTask<>(
                        () -> consumer.poll((type, payload) -> { }, Duration.ofSeconds(30)));
                thread[0] = Thread.ofVirtual().name("jfr-consumer").start((Runnable) received);
                Await.until(DEADLINE, "the consumer to sleep on the futex", () ->
                        segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) == 1
                                && thread[0].getState() == Thread.State.TIMED_WAITING);
                assertTrue(producer.offer(1, new byte[8], 0, 8));
                assertEquals(1, received.get());
            });
            List<RecordedEvent> waits = named(events, "jipc.ChannelWait");
            assertEquals(1, waits.size(), "one event for the wait that slept, none for the one that did not: " + waits);
            RecordedEvent wait = waits.getFirst();
            assertEquals("consumer", wait.getString("side"));
            assertTrue(wait.getBoolean("satisfied"), wait.toString());
            assertTrue(wait.getString("object").contains(name), wait.toString());
            assertTrue(wait.getDuration().toNanos() > 0, wait.toString());
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm" + name));
        }
    }

    @Test
    void aConsumerRoleTakenOverFromAKilledChildIsARecovery() throws Exception {
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64)) {
            MemorySegment segment = shared.mapping().segment();
            int pid;
            try (Capture child = Capture.start(Spawn.java(RoleChild.class, "hold", "consumer", name))) {
                Await.until(DEADLINE, "the child to take the consumer role",
                        () -> child.outSoFar().startsWith("holding "));
                pid = child.child().pid();
                child.child().destroyForcibly();
                assertEquals(9, child.child().waitFor().signal());
            }
            assertTrue(segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.CONSUMER_PARTY_OFFSET) != 0,
                    "the dead child still holds the role");
            try (SharedChannel attached = SharedChannel.attach(name)) {
                OneToOneChannel taker = (OneToOneChannel) attached.messageChannel();
                List<RecordedEvent> events = record(taker::registerConsumer);
                List<RecordedEvent> recoveries = named(events, "jipc.Recovery");
                assertEquals(1, recoveries.size(), recoveries.toString());
                RecordedEvent recovery = recoveries.getFirst();
                assertEquals("the consumer of channel " + name, recovery.getString("what"));
                assertEquals("taken over from a dead holder", recovery.getString("action"));
                assertEquals("pid " + pid, recovery.getString("dead"));
                assertTrue(recovery.getLong("deadParty") != 0, recovery.toString());
            }
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm" + name));
        }
    }

    @Test
    void aMutexWhoseHolderWasKilledIsAnOwnerDied() throws Exception {
        Path file = dir.resolve("mutex");
        try (Arena arena = Arena.ofShared(); FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment shared = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
            Mutex mutex = Mutex.create(shared, 128);
            int pid;
            try (ChildProcess holder = Spawn.java(SyncChild.class, "hold", file.toString(), "128", "256", "-1")
                    .start()) {
                Await.until(DEADLINE, "the child to hold the mutex", () -> shared.get(ValueLayout.JAVA_INT, 256) == 1);
                pid = holder.pid();
                holder.destroyForcibly();
                assertEquals(9, holder.waitFor().signal());
            }
            LockResult[] result = new LockResult[1];
            List<RecordedEvent> events = record(() -> result[0] = mutex.tryLock(Duration.ofSeconds(10)));
            assertEquals(LockResult.OWNER_DIED, result[0]);
            List<RecordedEvent> died = named(events, "jipc.OwnerDied");
            assertEquals(1, died.size(), died.toString());
            assertEquals(pid, died.getFirst().getInt("ownerPid"));
            assertTrue(died.getFirst().getString("mutex").startsWith("mutex at 0x"), died.toString());
            mutex.markConsistent();
            mutex.unlock();
        }
    }

    @Test
    void withoutJdkJfrTheCoreWaitsAndRecoversAllTheSame() throws Exception {
        Capture.Result result = Capture.run(Spawn.java(JfrAbsentChild.class, List.of("--limit-modules", "java.base"),
                name + "-absent"));
        result.assertSuccess();
        assertEquals("jdk.jfr absent; waited; recovered\n", result.out(), result.err());
        assertFalse(Files.exists(Path.of("/dev/shm" + name + "-absent")));
    }

    // ---- recording -------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Scenario {
        void run() throws Exception;
    }

    /** The jipc events {@code scenario} fired, recorded in this JVM and read back from the dump. */
    private List<RecordedEvent> record(Scenario scenario) throws Exception {
        Path dump = dir.resolve("jipc-" + System.nanoTime() + ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jipc.ChannelWait").withoutThreshold();
            recording.enable("jipc.Recovery");
            recording.enable("jipc.OwnerDied");
            recording.start();
            scenario.run();
            recording.stop();
            recording.dump(dump);
        }
        return RecordingFile.readAllEvents(dump).stream()
                .filter(e -> e.getEventType().getName().startsWith("jipc.")).toList();
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}
