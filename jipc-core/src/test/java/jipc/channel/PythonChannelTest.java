package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import jipc.testing.Python;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Python package ({@code python/jipc}, run from the clone with its native part built on first import) at either
 * end of channels that Java created: {@code python/tests/peer.py} sends and checks the messages of {@link Messages},
 * against Java ({@link ChannelChild}, {@link Messages#receive}) and the C twin ({@code channel_peer}).
 */
class PythonChannelTest {
    private static final long SEED = 1717;
    private static final long COUNT = 1_000_000;
    private static final int MAX = 1000;
    private static final long CAPACITY = 256 * 1024;

    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-py-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    private Spawn peer(String mode, Object... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = mode;
        argv[1] = name;
        for (int i = 0; i < args.length; i++) {
            argv[i + 2] = String.valueOf(args[i]);
        }
        return Python.script("peer.py", argv);
    }

    @Test
    void javaProducerToPythonConsumerAMillionChecksummedMessagesInOrder() throws Exception {
        Python.interpreter();
        try (SharedChannel shared = SharedChannel.create(name, CAPACITY, MAX);
             Capture consumer = Capture.start(peer("consume", SEED, MAX, 0, COUNT))) {
            OneToOneChannel channel = shared.channel();
            Await.until(Duration.ofSeconds(30), "the Python consumer to register",
                    () -> channel.consumerPid() == consumer.child().pid());
            ChannelChild.produce(channel, SEED, MAX, 0, COUNT);
            assertEquals("received " + COUNT + "\n", consumer.finish(Duration.ofSeconds(120)).assertSuccess().out());
            assertEquals(channel.tailPosition(), channel.headPosition());
            assertEquals(false, channel.isConsumerAlive(), "the Python consumer gave its role back");
        }
    }

    @Test
    void pythonProducerToJavaConsumerAMillionChecksummedMessagesInOrderByClaimAndPut() throws Exception {
        Python.interpreter();
        try (SharedChannel shared = SharedChannel.create(name, CAPACITY, MAX);
             Capture producer = Capture.start(peer("produce", SEED, MAX, 0, COUNT))) {
            OneToOneChannel channel = shared.channel().registerConsumer();
            Messages.receive(channel, SEED, 0, COUNT, MAX, Duration.ofSeconds(60));
            assertEquals("sent " + COUNT + "\n", producer.finish(Duration.ofSeconds(60)).assertSuccess().out());
            assertEquals(0, channel.poll((t, p) -> { }, Duration.ofMillis(50)), "nothing after the last message");
            assertEquals(0, channel.producerPid(), "the Python producer gave its role back");
        }
    }

    @Test
    void cProducerToPythonConsumerAMillionChecksummedMessagesInOrder() throws Exception {
        Python.interpreter();
        Path c = Gcc.program("channel_peer", "jipc_channel.c", "jipc_live.c");
        try (SharedChannel shared = SharedChannel.create(name, CAPACITY, MAX);
             Capture consumer = Capture.start(peer("consume", SEED, MAX, 0, COUNT))) {
            OneToOneChannel channel = shared.channel();
            Await.until(Duration.ofSeconds(30), "the Python consumer to register",
                    () -> channel.consumerPid() == consumer.child().pid());
            try (Capture producer = Capture.start(Spawn.command(c.toString(), "produce", name, "" + SEED, "" + MAX,
                    "0", "" + COUNT))) {
                producer.finish(Duration.ofSeconds(120)).assertSuccess();
            }
            assertEquals("received " + COUNT + "\n", consumer.finish(Duration.ofSeconds(120)).assertSuccess().out());
        }
    }

    @Test
    void aManyProducerChannelFedByJavaCAndPythonAtOnceDeliversEachProducersMessagesWholeAndInOrder() throws Exception {
        Python.interpreter();
        long count = 100_000;
        int max = 300;
        long seed = ManyProducerProcessTest.SEED;
        Path c = Gcc.program("channel_peer", "jipc_channel.c", "jipc_live.c");
        List<Capture> producers = new ArrayList<>();
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 64 * 1024, max)) {
            ManyToOneChannel channel = shared.manyToOne().registerConsumer();
            try {
                producers.add(Capture.start(Spawn.command(c.toString(), "produce-many", name, "" + seed, "" + max,
                        "0", "" + count)));
                producers.add(Capture.start(Spawn.java(ManyProducerChild.class, "produce", name, "" + seed,
                        "" + max, "1", "" + count)));
                producers.add(Capture.start(peer("produce-many", seed, max, 2, count)));
                ManyProducerProcessTest.Receiver receiver = new ManyProducerProcessTest.Receiver(3, max);
                receiver.receiveUntil(channel, Duration.ofSeconds(120), () -> receiver.total() == 3 * count);
                for (Capture producer : producers) {
                    producer.finish(Duration.ofSeconds(60)).assertSuccess();
                }
                assertEquals(0, channel.poll(receiver, Duration.ofMillis(50)), "nothing after the last messages");
                assertTrue(channel.producers().isEmpty(), "every producer gave its slot back: " + channel.producers());
            } finally {
                for (Capture producer : producers) {
                    producer.close();
                }
            }
        }
    }

    @Test
    void aPythonConsumerKilledInsideItsHandlerLeavesEveryMessageToAJavaSuccessor() throws Exception {
        Python.interpreter();
        int max = 200;
        long count = 400;
        try (SharedChannel shared = SharedChannel.create(name, CAPACITY, max)) {
            OneToOneChannel producer = shared.channel();
            ChannelChild.produce(producer, SEED, max, 0, count);
            try (Capture consumer = Capture.start(peer("consume-and-hang", SEED, max, 150))) {
                Await.until(Duration.ofSeconds(30), "the Python consumer to hang in the handler of message 150",
                        () -> consumer.outSoFar().contains("ready"));
                ManyProducerProcessTest.kill(consumer);
            }
            assertEquals(0, producer.headPosition(), "the killed consumer's batch was never given back");
            try (SharedChannel successor = SharedChannel.attach(name)) {
                OneToOneChannel channel = successor.channel().registerConsumer();
                // at least once: the 150 messages the dead handler saw come again, then the rest; none is lost
                Messages.receive(channel, SEED, 0, count, max, Duration.ofSeconds(10));
                ChannelChild.produce(producer, SEED, max, count, 100);
                Messages.receive(channel, SEED, count, 100, max, Duration.ofSeconds(10));
                assertEquals(0, channel.poll((t, p) -> { }, Duration.ofMillis(50)));
            }
        }
    }

    @Test
    void aPythonProducerKilledWithAHalfWrittenClaimLeavesNothingTornForTheNextProducer() throws Exception {
        Python.interpreter();
        int max = 500;
        long count = 50;
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, max)) {
            OneToOneChannel consumer = shared.channel().registerConsumer();
            try (Capture producer = Capture.start(peer("claim-and-hang", SEED, max, count))) {
                Messages.receive(consumer, SEED, 0, count, max, Duration.ofSeconds(30));
                Await.until(Duration.ofSeconds(30), "the Python producer to hang with its claim half written",
                        () -> producer.outSoFar().contains("ready"));
                assertEquals(0, consumer.poll((t, p) -> { throw new AssertionError("the open claim was handed out"); },
                        Duration.ofMillis(50)));
                ManyProducerProcessTest.kill(producer);
            }
            try (SharedChannel next = SharedChannel.attach(name)) {
                // the successor takes over the dead producer's role and starts where its last commit ended
                ChannelChild.produce(next.channel(), SEED, max, count, 100);
                Messages.receive(consumer, SEED, count, 100, max, Duration.ofSeconds(10));
                assertEquals(0, consumer.poll((t, p) -> { }, Duration.ofMillis(50)));
            }
        }
    }

    @Test
    void pythonUnitTestsPassBadInputLeaksGilSigintAndViews() throws Exception {
        Python.interpreter();
        Capture.Result result = Python.unittest(Duration.ofSeconds(120), "test_channel");
        assertTrue(result.err().contains("OK"), result.err());
    }
}
