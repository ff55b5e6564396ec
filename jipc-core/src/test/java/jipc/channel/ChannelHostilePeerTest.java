package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jipc.live.RoleTakenException;
import jipc.process.Spawn;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile C process ({@code src/test/c/hostile_peer.c}, compiled with gcc) on a live channel: one scribbles seeded
 * random bytes over the header's live fields and the ring while a Java producer and a Java consumer run; one lies as
 * a producer, publishing a record with an impossible length or type after a few honest ones. The Java side ends with
 * clean results or {@link ChannelCorruptedException}s (and the documented refusals: a {@link RoleTakenException}
 * when a role word holds a party that is alive or cannot be judged, which counts as alive), every call within its
 * bound, never a hang, never another exception.
 */
@Timeout(120)
class ChannelHostilePeerTest {
    private static final int MAX = 200;
    /** No single call may take longer (they wait at most 5 ms, in futex slices of at most 100 ms). */
    private static final long CALL_BOUND_NANOS = 2_000_000_000L;
    private static final Duration WAIT = Duration.ofMillis(5);

    private String name;

    private static Path peer() {
        return Gcc.program("hostile_peer", "jipc_channel.c", "jipc_live.c");
    }

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-hostile-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    /** What the Java side saw: calls made, corruption reports, the slowest call. */
    private static final class Tally {
        final AtomicLong calls = new AtomicLong();
        final AtomicInteger corrupt = new AtomicInteger();
        /** Roles refused: {@link RoleTakenException}, or no producer slot free. */
        final AtomicInteger refused = new AtomicInteger();
        final AtomicLong slowest = new AtomicLong();
        final List<Throwable> undocumented = java.util.Collections.synchronizedList(new ArrayList<>());

        void call(Background.Task task) {
            long start = System.nanoTime();
            try {
                task.run();
            } catch (ChannelCorruptedException e) {
                corrupt.incrementAndGet();
                if (!e.getMessage().startsWith("corrupt channel: " + e.field() + "=")) {
                    undocumented.add(e);
                }
            } catch (RoleTakenException e) {
                // A forged role word (junk in the consumer or producer party) names a party that is alive or cannot
                // be judged, and one that cannot be judged counts as alive: the documented, conservative refusal.
                // So does the role word of this process's own live consumer, which a fresh instance may not take.
                refused.incrementAndGet();
            } catch (IllegalStateException e) {
                // forged slot words may name parties that cannot be judged: the documented refusal
                if (!String.valueOf(e.getMessage()).contains("producer slots of")
                        || !String.valueOf(e.getMessage()).contains("are held by live")) {
                    undocumented.add(e);
                }
                refused.incrementAndGet();
            } catch (Throwable e) {
                undocumented.add(e);
            }
            calls.incrementAndGet();
            slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
        }
    }

    @ParameterizedTest(name = "many producers: {0}")
    @ValueSource(booleans = {false, true})
    void javaEndsSurviveACProcessScribblingOverTheLiveChannel(boolean many) throws Exception {
        Path program = peer();
        long seed = 1234 + (many ? 1 : 0);
        try (SharedChannel shared = many ? SharedChannel.createManyToOne(name, 4096, MAX)
                : SharedChannel.create(name, 4096, MAX);
             Capture scribbler = Capture.start(Spawn.command(program.toString(), "scribble", name, "" + seed,
                     "1500"))) {
            RingChannel channel = (RingChannel) shared.messageChannel();
            Tally producer = new Tally();
            Tally consumer = new Tally();
            AtomicLong received = new AtomicLong();
            long end = System.nanoTime() + 2_000_000_000L;
            Future<Void> producing = Background.run("producer", () -> {
                byte[] payload = new byte[MAX];
                for (int i = 0; System.nanoTime() - end < 0; i++) {
                    int length = i % MAX;
                    int type = 1 + (i & 0xFF);
                    producer.call(() -> channel.put(type, payload, 0, length, WAIT));
                }
            });
            Future<Void> consuming = Background.run("consumer", () -> {
                for (int i = 0; System.nanoTime() - end < 0; i++) {
                    if (i % 100 == 0) {
                        // a fresh consumer in its own mapping: registering finishes a (forged) give-back
                        consumer.call(() -> {
                            try (SharedChannel other = SharedChannel.attach(name)) {
                                RingChannel fresh = (RingChannel) other.messageChannel();
                                fresh.takeConsumerRole();
                                fresh.poll((t, p) -> received.incrementAndGet(), 16);
                            }
                        });
                    }
                    consumer.call(() -> channel.poll((type, payload) -> {
                        payload.toArray(ValueLayout.JAVA_BYTE);
                        received.incrementAndGet();
                    }, 64, WAIT));
                }
            });
            producing.get(30, TimeUnit.SECONDS);
            consuming.get(30, TimeUnit.SECONDS);
            Capture.Result result = scribbler.finish(Duration.ofSeconds(30)).assertSuccess();
            assertTrue(result.out().startsWith("scribbled "), result.out());
            String summary = "producer: " + producer.calls + " calls, " + producer.corrupt + " corrupt, "
                    + producer.refused + " refused; consumer: " + consumer.calls + " calls, " + consumer.corrupt
                    + " corrupt, " + consumer.refused + " refused, " + received + " messages; " + result.out().trim();
            assertEquals(List.of(), producer.undocumented, summary);
            assertEquals(List.of(), consumer.undocumented, summary);
            assertTrue(producer.slowest.get() < CALL_BOUND_NANOS, "slowest producer call "
                    + producer.slowest.get() / 1_000_000 + " ms; " + summary);
            assertTrue(consumer.slowest.get() < CALL_BOUND_NANOS, "slowest consumer call "
                    + consumer.slowest.get() / 1_000_000 + " ms; " + summary);
            assertTrue(producer.calls.get() > 10 && consumer.calls.get() > 10, summary);
            // the scribbles must have been noticed (a test that cannot fail is a defect)
            assertTrue(consumer.corrupt.get() + producer.corrupt.get() > 0, summary);
            System.out.println("hostile scribbler, " + (many ? "many" : "one") + " producer(s): " + summary);
        }
    }

    @ParameterizedTest(name = "{0}, many producers: {1}")
    @CsvSource({
        "short, false, record length, 3",
        "huge, false, record length, 2147483640",
        "negative, false, record length, -16",
        "crossing, false, record length, 4024",
        "type0, false, record type, 0",
        "type-7, false, record type, -7",
        "short, true, record length, 3",
        "negative, true, record type, 99",
        "type0, true, record type, 0",
    })
    void aLyingProducersImpossibleRecordIsReportedAfterTheHonestOnes(String lie, boolean many, String field,
            long value) throws Exception {
        int good = 5;
        long position = good * 16L; // each honest message: 8-byte header + 8-byte payload
        try (SharedChannel shared = many ? SharedChannel.createManyToOne(name, 4096, MAX)
                : SharedChannel.create(name, 4096, MAX)) {
            RingChannel channel = (RingChannel) shared.messageChannel();
            channel.takeConsumerRole();
            Capture.Result liar = Capture.run(Spawn.command(peer().toString(), "lie", name, "" + good, lie));
            assertEquals("lie at " + position + "\n", liar.assertSuccess().out());
            List<MemorySegment> messages = new ArrayList<>();
            ChannelCorruptedException e = assertThrows(ChannelCorruptedException.class,
                    () -> channel.poll((type, payload) -> messages.add(payload), 100));
            assertEquals(good, messages.size(), "the honest messages before the lie were delivered");
            assertEquals(field, e.field());
            assertEquals(position, e.position());
            assertEquals(value, e.value());
            assertEquals(position, channel.headPosition(), "the honest messages were given back, the lie was not");
            // a blocking poll meets it again at once: reported, not waited on
            long start = System.nanoTime();
            assertThrows(ChannelCorruptedException.class, () -> channel.poll((t, p) -> { }, 1, Duration.ofSeconds(5)));
            assertTrue(System.nanoTime() - start < CALL_BOUND_NANOS);
        }
    }

    @org.junit.jupiter.api.Test
    void aPeerThatShrinksTheObjectCostsAnInternalErrorNotTheJvm() throws Exception {
        try (SharedChannel shared = SharedChannel.create(name, 4096, MAX)) {
            OneToOneChannel channel = shared.channel().registerConsumer();
            assertTrue(channel.offer(1, new byte[10], 0, 10));
            // the roles are taken before the object shrinks: taking one checks the object's size first (a
            // compare-and-set on a truncated mapping would crash the JVM) and refuses with an IllegalStateException
            // another process with the object open empties it: the mapped pages are gone (SIGBUS on access)
            try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(
                    Path.of("/dev/shm" + name), java.nio.file.StandardOpenOption.WRITE)) {
                file.truncate(0);
            }
            // Interpreted and compiled: HotSpot turns the fault into an InternalError. From compiled code it is
            // delivered asynchronously, at the next safepoint, which may lie after the call returned (outside the
            // inner catch), hence the outer one.
            int faults = 0;
            int i = 0;
            try {
                while (i < 20_000) {
                    try {
                        for (; i < 20_000; i++) {
                            try {
                                channel.poll((t, p) -> { });
                            } catch (InternalError e) {
                                faults++;
                                assertTrue(e.getMessage().contains("fault occurred"), e.getMessage());
                            }
                        }
                    } catch (InternalError late) {
                        faults++;
                        i++;
                    }
                }
            } catch (InternalError last) { // the last fault, delivered at the loop's own safepoint check
                faults++;
            }
            assertTrue(faults > 0, "no poll of the emptied object faulted");
        }
    }
}
