package jipc.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.channel.MessageChannel;
import jipc.channel.SharedChannel;
import jipc.fault.Faults.Kind;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Capture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, channel rows with the consumer killed: a consumer child JVM is SIGKILLed while it sleeps in
 * {@code take}, or while this JVM's producer sleeps in {@code put} on the ring it stopped draining. The producer
 * sees the consumer dead, is not stuck for ever, and a new consumer gets every message the dead one did not take,
 * exactly once. Killed in the middle of a poll: {@code ChannelConsumerCrashTest} (lead).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChannelConsumerFaultTest {
    private static final int MAX = 200;

    private String name;

    @BeforeEach
    void name() throws Exception {
        name = Faults.shmName("cons");
    }

    @AfterEach
    void unlink() throws Exception {
        SharedChannel.unlinkIfExists(name);
    }

    private static void send(MessageChannel producer, long from, long to) throws InterruptedException {
        MemorySegment message = Arena.ofAuto().allocate(MAX);
        for (long seq = from; seq < to; seq++) {
            int length = FaultMessages.fill(message, 0, 1, seq, MAX);
            assertTrue(producer.put(FaultMessages.type(0), message.asSlice(0, length), Duration.ofSeconds(30)),
                    "no room for message " + seq + " within 30 s");
        }
    }

    @ParameterizedTest(name = "{0}, virtual thread {1}: consumer killed asleep in take")
    @MethodSource("kindsAndThreads")
    void consumerKilledInTakeLeavesTheRestToANewConsumerExactlyOnce(Kind kind, boolean virtual) throws Exception {
        long taken = 20;
        try (SharedChannel shared = kind.create(name, 8192, MAX);
             Capture doomed = Capture.start(Spawn.java(ChannelFaultChild.class, threads(virtual), "take", name,
                     "" + MAX))) {
            MessageChannel consumer = shared.messageChannel();
            MessageChannel producer = kind.attach(shared.mapping().segment());
            try {
                int pid = doomed.child().pid();
                Await.until(Duration.ofSeconds(60), "the child to register as consumer",
                        () -> consumer.consumerPid() == pid);
                send(producer, 0, taken);
                Await.until(Duration.ofSeconds(30), "the consumer to take " + taken + " and sleep in take",
                        () -> Faults.lines(doomed.outSoFar(), "took ") == taken && Faults.consumerWaiting(shared) == 1);
                Faults.kill(doomed.child());
                assertFalse(producer.isConsumerAlive(), "the producer sees the consumer dead");
                List<String> took = doomed.finish().out().lines().toList();
                for (int i = 0; i < taken; i++) {
                    assertEquals("took 0 1 " + i, took.get(i));
                }

                send(producer, taken, 2 * taken); // the dead sleeper's "waiting" flag costs a needless wake only
                consumer.registerConsumer();
                Faults.Receiver receiver = new Faults.Receiver(MAX).expect(0, 1, taken);
                receiver.drain(consumer, Duration.ofMillis(300));
                assertEquals(2 * taken, receiver.next(0, 1), "the rest, once, and nothing the dead one took");
                assertEquals(consumer.tailPosition(), consumer.headPosition());
            } finally {
                Faults.detach(producer);
            }
        }
    }

    @ParameterizedTest(name = "{0}, virtual thread {1}: consumer killed while the producer sleeps in put")
    @MethodSource("kindsAndThreads")
    void producerAsleepOnAFullRingSurvivesTheConsumersDeathAndANewConsumerDrainsIt(Kind kind, boolean virtual)
            throws Exception {
        long taken = 10;
        long total = 300; // far more than the 8 KiB ring holds
        try (SharedChannel shared = kind.create(name, 8192, MAX);
             Capture doomed = Capture.start(Spawn.java(ChannelFaultChild.class, threads(virtual), "take-then-park",
                     name, "" + MAX, "" + taken))) {
            MessageChannel consumer = shared.messageChannel();
            MessageChannel producer = kind.attach(shared.mapping().segment());
            Future<Void> sending = null;
            try {
                int pid = doomed.child().pid();
                Await.until(Duration.ofSeconds(60), "the child to register as consumer",
                        () -> consumer.consumerPid() == pid);
                sending = Background.run("producer", () -> send(producer, 0, total));
                Await.until(Duration.ofSeconds(30), "the consumer to take " + taken + " and stop",
                        () -> doomed.outSoFar().contains("parked"));
                Await.until(Duration.ofSeconds(30), "the producer to sleep on the full ring",
                        () -> Faults.producersWaiting(shared) != 0);
                Faults.kill(doomed.child());
                assertFalse(consumer.isConsumerAlive(), "the consumer is seen dead");
                assertFalse(sending.isDone(), "the producer waits for room (its put has a timeout)");

                consumer.registerConsumer();
                Faults.Receiver receiver = new Faults.Receiver(MAX).expect(0, 1, taken);
                Await.until(Duration.ofSeconds(30), "the new consumer to receive the rest", () -> {
                    consumer.poll(receiver, Duration.ofMillis(10));
                    return receiver.next(0, 1) == total;
                });
                sending.get(30, TimeUnit.SECONDS);
                assertEquals(0, consumer.poll(receiver, Duration.ofMillis(100)), "nothing more");
                assertEquals(consumer.tailPosition(), consumer.headPosition());
            } finally {
                if (sending != null && !sending.isDone()) {
                    // free room until the producer thread gives up, so it never outlives the mapping
                    long end = System.nanoTime() + 40_000_000_000L;
                    while (!sending.isDone() && System.nanoTime() < end) {
                        consumer.poll((t, p) -> { }, Duration.ofMillis(10));
                    }
                }
                Faults.detach(producer);
            }
        }
    }

    /** Each kind of channel, with the child's consumer on a platform thread and on a virtual thread. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> kindsAndThreads() {
        return java.util.stream.Stream.of(Kind.values()).flatMap(kind -> java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(kind, false),
                org.junit.jupiter.params.provider.Arguments.of(kind, true)));
    }

    /** The child JVM's options: its roles run on a virtual thread (two carriers) when {@code virtual}. */
    static java.util.List<String> threads(boolean virtual) {
        return virtual ? java.util.List.of("-Djipc.fault.virtual=true", "-Djdk.virtualThreadScheduler.parallelism=2")
                : java.util.List.of();
    }
}
