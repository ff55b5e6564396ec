package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

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
}
