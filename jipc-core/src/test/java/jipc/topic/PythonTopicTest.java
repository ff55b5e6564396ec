package jipc.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.Python;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The topic from Python ({@code python/tests/topic_peer.py} over the package's {@code jipc.Topic}) against Java, with
 * the messages of {@link TopicMessages}: Java to Python and Python to Java, a Python subscriber killed while a BLOCK
 * publisher waits for it, a Python publisher killed with a half-written claim; then the package's own topic unit
 * tests ({@code python/tests/test_topic.py}).
 */
class PythonTopicTest {
    private static final long SEED = 0x9E7;
    private static final int MAX = 200;
    private static final long COUNT = 200_000;

    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-py-topic-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedTopic.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedTopic.unlinkIfExists(name);
    }

    private Spawn peer(String mode, Object... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = mode;
        argv[1] = name;
        for (int i = 0; i < args.length; i++) {
            argv[i + 2] = String.valueOf(args[i]);
        }
        return Python.script("topic_peer.py", argv);
    }

    private static void receive(TopicSubscriber sub, long until) throws InterruptedException {
        while (sub.receivedMessages() < until) {
            int n = sub.poll((type, payload) -> TopicMessages.check(SEED, sub.expectedSequence() - 1, MAX, type,
                    payload), 256, Duration.ofSeconds(30));
            if (n == 0) {
                throw new AssertionError("no message within 30 s after " + sub.receivedMessages());
            }
        }
    }

    @Test
    void javaPublisherToPythonSubscriberEveryMessageWholeAndInOrder() throws Exception {
        Python.interpreter();
        try (SharedTopic shared = SharedTopic.create(name, 64 * 1024, MAX, OverflowPolicy.BLOCK);
             Capture sub = Capture.start(peer("subscribe", SEED, MAX, COUNT))) {
            Await.until(Duration.ofSeconds(30), "the Python subscriber to join",
                    () -> sub.outSoFar().contains("joined slot"));
            try (TopicPublisher pub = shared.topic().publisher()) {
                TopicMessages.publish(pub, SEED, 0, COUNT, MAX);
            }
            assertEquals("joined slot 0 expected 0\nreceived " + COUNT + " lost 0\n",
                    sub.finish(Duration.ofSeconds(120)).assertSuccess().out());
            assertEquals(0, shared.topic().subscriberCount(), "the Python subscriber gave its slot back");
        }
    }

    @Test
    void pythonPublisherToJavaSubscriberEveryMessageWholeAndInOrderByClaimAndPut() throws Exception {
        Python.interpreter();
        try (SharedTopic shared = SharedTopic.create(name, 64 * 1024, MAX, OverflowPolicy.BLOCK);
             TopicSubscriber sub = shared.topic().subscribe();
             Capture pub = Capture.start(peer("publish", SEED, MAX, 0, COUNT))) {
            receive(sub, COUNT);
            assertEquals("published " + COUNT + " next " + COUNT + "\n",
                    pub.finish(Duration.ofSeconds(60)).assertSuccess().out());
            assertEquals(0, sub.poll((t, p) -> { }, 1, Duration.ofMillis(50)));
            assertEquals(0, shared.topic().publisherParty(), "the Python publisher gave its role back");
        }
    }

    @Test
    void aPythonSubscriberKilledInItsHandlerNoLongerHoldsABlockPublisherBack() throws Exception {
        Python.interpreter();
        long count = 2000;
        try (SharedTopic shared = SharedTopic.create(name, 4096, MAX, OverflowPolicy.BLOCK);
             TopicSubscriber reader = shared.topic().subscribe();
             Capture stuck = Capture.start(peer("subscribe-and-hang", SEED, MAX, 10))) {
            Topic topic = shared.topic();
            Await.until(Duration.ofSeconds(30), "the Python subscriber to join",
                    () -> stuck.outSoFar().contains("joined slot"));
            try (TopicPublisher pub = topic.publisher()) {
                Future<Void> publishing = Background.run("publisher",
                        () -> TopicMessages.publish(pub, SEED, 0, count, MAX));
                Await.until(Duration.ofSeconds(60), "the Python subscriber to hang and the publisher to wait for it",
                        () -> {
                            reader.poll((type, payload) -> TopicMessages.check(SEED, reader.expectedSequence() - 1,
                                    MAX, type, payload), 256);
                            return stuck.outSoFar().contains("ready") && publisherWaiting(shared) == 1;
                        });
                long blockedAt = topic.tailPosition();
                stuck.child().destroyForcibly();
                stuck.child().waitFor(Duration.ofSeconds(10)).orElseThrow();
                // the dead subscriber is dropped by its liveness token: the publisher goes on
                receive(reader, count);
                publishing.get(60, TimeUnit.SECONDS);
                assertTrue(topic.tailPosition() > blockedAt);
            }
            assertEquals(1, topic.subscriberCount(), "the dead subscriber's slot was freed: " + topic.subscribers());
        }
    }

    @Test
    void aPythonPublisherKilledWithAHalfWrittenClaimLeavesNothingTornAndAJavaPublisherContinues() throws Exception {
        Python.interpreter();
        try (SharedTopic shared = SharedTopic.create(name, 64 * 1024, MAX, OverflowPolicy.BLOCK);
             TopicSubscriber sub = shared.topic().subscribe()) {
            try (Capture pub = Capture.start(peer("claim-and-hang", SEED, MAX, 50))) {
                receive(sub, 50);
                Await.until(Duration.ofSeconds(30), "the Python publisher to hang with its claim half written",
                        () -> pub.outSoFar().contains("ready"));
                assertEquals(0, sub.poll((t, p) -> { throw new AssertionError("the open claim was delivered"); }, 1,
                        Duration.ofMillis(50)));
                pub.child().destroyForcibly();
                pub.child().waitFor(Duration.ofSeconds(10)).orElseThrow();
            }
            try (TopicPublisher next = shared.topic().publisher()) {
                TopicMessages.publish(next, SEED, 50, 100, MAX);
            }
            receive(sub, 150);
            assertEquals(0, sub.lostMessages());
            assertEquals(0, sub.poll((t, p) -> { }, 1, Duration.ofMillis(50)));
        }
    }

    @Test
    void pythonTopicUnitTestsPass() throws Exception {
        Python.interpreter();
        Capture.Result result = Python.unittest(Duration.ofSeconds(120), "test_topic");
        assertTrue(result.err().contains("OK"), result.err());
    }

    private static int publisherWaiting(SharedTopic shared) {
        return shared.mapping().segment().get(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_WAITING_OFFSET);
    }
}
