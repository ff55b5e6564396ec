package jipc.security;

import static jipc.security.BadInput.errno;
import static jipc.security.BadInput.illegal;
import static jipc.security.BadInput.illegalState;
import static jipc.security.BadInput.nullArgument;
import static jipc.security.BadInput.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jipc.channel.SharedChannel;
import jipc.security.BadInput.Case;
import jipc.shm.PosixSharedMemory;
import jipc.topic.OverflowPolicy;
import jipc.topic.SharedTopic;
import jipc.topic.Topic;
import jipc.topic.TopicDescriptor;
import jipc.topic.TopicFormatException;
import jipc.topic.TopicPublisher;
import jipc.topic.TopicSubscriber;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to the topic: each row is refused with the documented exception naming the argument or field, nothing
 * is left in {@code /dev/shm}, and afterwards the topic still carries a message from its publisher to a subscriber.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicBadInputTest {
    private static final String PREFIX = "/jipc-badtopic-" + ProcessHandle.current().pid() + "-";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static final class Fixture implements AutoCloseable {
        final String name = PREFIX + COUNTER.incrementAndGet();
        final SharedTopic shared;
        final TopicPublisher publisher;
        final TopicSubscriber subscriber;
        final Arena arena = Arena.ofShared();
        final MemorySegment memory = arena.allocate(TopicDescriptor.segmentSize(4096), 4096);

        Fixture() throws IOException {
            shared = SharedTopic.create(name, 4096, 64);
            publisher = shared.topic().publisher();
            subscriber = shared.topic().subscribe();
        }

        String unused() {
            return name + "-unused";
        }

        void stillWorks() {
            assertTrue(publisher.offer(7, MemorySegment.ofArray(new byte[] {42})), "the topic takes a message");
            int[] type = {0};
            subscriber.poll((t, p) -> type[0] = t, 100);
            assertEquals(7, type[0]);
        }

        @Override
        public void close() throws IOException {
            try (arena; shared; publisher; subscriber) {
                shared.unlink();
            } finally {
                assertFalse(Files.exists(Path.of("/dev/shm", unused().substring(1))), "left in /dev/shm");
            }
        }
    }

    static Stream<Case<Fixture>> cases() {
        return Stream.of(
                nullArgument("Topic.create(null)", "segment", f -> Topic.create(null, 4096, 64, OverflowPolicy.BLOCK)),
                nullArgument("Topic.create(policy=null)", "policy", f -> Topic.create(f.memory, 4096, 64, null)),
                illegal("Topic.create(capacity=1000)", "capacity=1000",
                        f -> Topic.create(f.memory, 1000, 64, OverflowPolicy.BLOCK)),
                illegal("Topic.create(capacity > segment)", "byteSize",
                        f -> Topic.create(f.memory, 1L << 40, 64, OverflowPolicy.BLOCK)),
                illegal("Topic.create(maxMessageLength=0)", "maxMessageLength=0",
                        f -> Topic.create(f.memory, 4096, 0, OverflowPolicy.BLOCK)),
                illegal("Topic.create(maxMessageLength > capacity/8 - 16)", "maxMessageLength=497",
                        f -> Topic.create(f.memory, 4096, 497, OverflowPolicy.BLOCK)),
                illegal("Topic.create(read-only)", "read-only",
                        f -> Topic.create(f.memory.asReadOnly(), 4096, 64, OverflowPolicy.BLOCK)),
                nullArgument("Topic.attach(null)", "segment", f -> Topic.attach(null)),
                of("Topic.attach(zeroed memory)", TopicFormatException.class, "magic=0x0", f -> Topic.attach(f.memory)),
                illegal("subscribe(history=-1)", "history=-1", f -> f.shared.topic().subscribe(-1)),
                illegal("offer(type=0)", "type=0", f -> f.publisher.offer(0, MemorySegment.ofArray(new byte[1]))),
                illegal("offer(length > max)", "length=65",
                        f -> f.publisher.offer(1, MemorySegment.ofArray(new byte[65]))),
                illegal("tryClaim(length=-1)", "length=-1", f -> f.publisher.tryClaim(1, -1)),
                illegal("put(timeout < 0)", "timeout=PT-1S",
                        f -> f.publisher.put(1, MemorySegment.ofArray(new byte[1]), Duration.ofSeconds(-1))),
                illegal("poll(limit=0)", "limit=0", f -> f.subscriber.poll((t, p) -> { }, 0)),
                nullArgument("poll(null)", "handler", f -> f.subscriber.poll(null, 1)),
                illegalState("commit without claim", "no open claim", f -> f.publisher.commit()),
                illegalState("second publisher", "publisher of topic", f -> f.shared.topic().publisher()),
                illegalState("closed publisher offer", "closed", f -> {
                    try (SharedTopic other = SharedTopic.create(f.unused(), 4096, 64)) {
                        other.unlink();
                        TopicPublisher p = other.topic().publisher();
                        p.close();
                        p.offer(1, MemorySegment.ofArray(new byte[1]));
                    }
                }),
                illegalState("closed subscriber poll", "closed", f -> {
                    TopicSubscriber s = f.shared.topic().subscribe();
                    s.close();
                    s.poll((t, p) -> { }, 1);
                }),
                illegal("SharedTopic.create(capacity=1000)", "capacity=1000",
                        f -> SharedTopic.create(f.unused(), 1000, 64)),
                illegal("SharedTopic.create(maxMessageLength=0)", "maxMessageLength=0",
                        f -> SharedTopic.create(f.unused(), 4096, 0)),
                errno("SharedTopic.create(capacity=2^62)", "ENOMEM", f -> SharedTopic.create(f.unused(), 1L << 62, 64)),
                errno("SharedTopic.create(existing)", "EEXIST", f -> SharedTopic.create(f.name, 4096, 64)),
                errno("SharedTopic.attach(missing)", "ENOENT", f -> SharedTopic.attach(f.unused())),
                of("SharedTopic.attach(a channel)", TopicFormatException.class, "object size=8192 < header=12288", f -> {
                    try (SharedChannel channel = SharedChannel.create(f.unused(), 4096, 64)) {
                        try {
                            SharedTopic.attach(f.unused());
                        } finally {
                            channel.unlink();
                        }
                    }
                }),
                of("SharedTopic.attach(zeroed object)", TopicFormatException.class, "magic=0x0", f -> {
                    try (PosixSharedMemory shm = PosixSharedMemory.create(f.unused(), 16384)) {
                        try {
                            SharedTopic.attach(f.unused());
                        } finally {
                            shm.unlink();
                        }
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRefusedClearlyAndTheTopicStaysUsable(Case<Fixture> row) throws Throwable {
        try (Fixture f = new Fixture()) {
            BadInput.check(row, f);
            f.stillWorks();
        }
    }
}
