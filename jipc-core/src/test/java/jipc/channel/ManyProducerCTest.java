package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The C twin ({@code native/jipc_channel.c} in {@code src/test/c/channel_peer.c}) on a many-producer channel: C
 * producers beside Java producers, a C consumer of Java and C producers, and a C consumer that recovers a dead Java
 * producer's claim. Producer {@code P} sends the messages of seed {@code SEED + P} with type {@code P + 1}, as
 * {@link ManyProducerChild} does.
 */
class ManyProducerCTest {
    private static final long SEED = ManyProducerProcessTest.SEED;
    private static final long COUNT = 100_000;
    private static final int MAX = 300;

    private String name;

    private static Path peer() {
        return Gcc.program("channel_peer", "jipc_channel.c", "jipc_live.c");
    }

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-mpsc-c-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    private Spawn cProducer(int p, long count) {
        return Spawn.command(peer().toString(), "produce-many", name, "" + SEED, "" + MAX, "" + p, "" + count);
    }

    @Test
    void twoCProducersAndAJavaProducerReachAJavaConsumerWholeAndInEachProducersOrder() throws Exception {
        List<Capture> producers = new ArrayList<>();
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 64 * 1024, MAX)) {
            ManyToOneChannel channel = shared.manyToOne().registerConsumer();
            try {
                producers.add(Capture.start(cProducer(0, COUNT)));
                producers.add(Capture.start(cProducer(1, COUNT)));
                producers.add(Capture.start(Spawn.java(ManyProducerChild.class, "produce", name, "" + SEED,
                        "" + MAX, "2", "" + COUNT)));
                ManyProducerProcessTest.Receiver receiver = new ManyProducerProcessTest.Receiver(3, MAX);
                receiver.receiveUntil(channel, Duration.ofSeconds(120), () -> receiver.total() == 3 * COUNT);
                for (Capture producer : producers) {
                    producer.finish(Duration.ofSeconds(60)).assertSuccess();
                }
                assertEquals(0, channel.poll(receiver, Duration.ofMillis(50)), "nothing after the last messages");
                assertTrue(channel.producers().isEmpty(), "every producer, C or Java, gave its slot back: "
                        + channel.producers());
            } finally {
                for (Capture producer : producers) {
                    producer.close();
                }
            }
        }
    }

    @Test
    void aCConsumerReceivesJavaAndCProducersWholeAndInEachProducersOrder() throws Exception {
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 64 * 1024, MAX);
             Capture consumer = Capture.start(Spawn.command(peer().toString(), "consume-many", name, "" + SEED,
                     "" + MAX, COUNT + "," + COUNT + "," + COUNT));
             Capture javaChild = Capture.start(Spawn.java(ManyProducerChild.class, "produce", name, "" + SEED,
                     "" + MAX, "0", "" + COUNT));
             Capture cChild = Capture.start(cProducer(1, COUNT))) {
            ManyToOneChannel channel = shared.manyToOne();
            // producer 2 is this JVM, with its own instance on the same mapping
            ManyToOneChannel mine = ManyToOneChannel.attach(shared.mapping().segment());
            try {
                ManyProducerChild.produce(mine, SEED + 2, MAX, 3, COUNT);
            } finally {
                mine.detachProducer();
            }
            assertEquals("registered\nreceived all\n", consumer.finish(Duration.ofSeconds(120)).assertSuccess().out());
            javaChild.finish(Duration.ofSeconds(60)).assertSuccess();
            cChild.finish(Duration.ofSeconds(60)).assertSuccess();
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    /**
     * A Java producer stopped inside a claim (half its payload written, or before its header) holds the C consumer
     * while it lives; once it is SIGKILLed the C consumer turns the claim into padding and a C producer goes on.
     */
    @ParameterizedTest
    @ValueSource(strings = {"claim-half", "claim-no-header"})
    void aCConsumerWaitsForALiveClaimantAndSkipsItsClaimOnlyOnceItIsDead(String mode) throws Exception {
        long before = 500;
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 64 * 1024, MAX);
             Capture consumer = Capture.start(Spawn.command(peer().toString(), "consume-many", name, "" + SEED,
                     "" + MAX, before + "," + COUNT));
             Capture doomed = Capture.start(Spawn.java(ManyProducerChild.class, mode, name, "" + SEED, "" + MAX,
                     "0", "" + before))) {
            ManyToOneChannel channel = shared.manyToOne();
            Await.until(Duration.ofSeconds(60), "the producer to stop inside its claim",
                    () -> doomed.outSoFar().contains("ready"));
            long claim = ManyProducerProcessTest.claimPositionOfPid(shared, doomed.child().pid());
            // at the claim, or past the padding before it when the claim wrapped to the ring's start
            Await.until(Duration.ofSeconds(30), "the C consumer to reach the claim at " + claim,
                    () -> channel.headPosition() >= claim);
            long head = channel.headPosition();
            long end = System.nanoTime() + 300_000_000L;
            Await.until(Duration.ofSeconds(5), "300 ms to pass", () -> System.nanoTime() - end >= 0);
            assertEquals(head, channel.headPosition(), "the C consumer passed a live producer's claim");
            assertFalse(consumer.child().exitStatus().isPresent(), "the C consumer still waits");

            ManyProducerProcessTest.kill(doomed);
            Capture.run(cProducer(1, COUNT)).assertSuccess();
            assertEquals("registered\nreceived all\n", consumer.finish(Duration.ofSeconds(60)).assertSuccess().out());
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }
}
