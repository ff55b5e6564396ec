package jipc.security;

import static jipc.security.BadInput.errno;
import static jipc.security.BadInput.illegal;
import static jipc.security.BadInput.illegalState;
import static jipc.security.BadInput.nullArgument;
import static jipc.security.BadInput.of;
import static jipc.security.BadInput.outOfRange;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jipc.channel.ChannelDescriptor;
import jipc.channel.ChannelFormatException;
import jipc.channel.ManyToOneChannel;
import jipc.channel.MessageHandler;
import jipc.channel.OneToOneChannel;
import jipc.channel.SharedChannel;
import jipc.channel.WaitStrategy;
import jipc.security.BadInput.Case;
import jipc.shm.PosixSharedMemory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad arguments to {@code jipc.channel}: each row gets a clear exception (see {@link BadInput}), leaves nothing in
 * {@code /dev/shm}, and afterwards both kinds of channel still carry a message from producer to consumer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChannelBadInputTest {
    private static final String PREFIX = "/jipc-badchan-" + ProcessHandle.current().pid() + "-";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final MessageHandler IGNORE = (type, payload) -> { };

    static final class Fixture implements AutoCloseable {
        final String name = PREFIX + COUNTER.incrementAndGet();
        final SharedChannel one;
        final SharedChannel many;
        final Arena arena = Arena.ofShared();
        final MemorySegment memory = arena.allocate(ChannelDescriptor.segmentSize(4096), 128);

        Fixture() throws IOException {
            one = SharedChannel.create(name, 4096, 64);
            many = SharedChannel.createManyToOne(name + "-many", 4096, 64);
        }

        String unused() {
            return name + "-unused";
        }

        OneToOneChannel channel() {
            return one.channel();
        }

        void stillWorks() {
            for (SharedChannel shared : List.of(one, many)) {
                assertTrue(shared.messageChannel().offer(7, new byte[] {42}, 0, 1), shared + " takes a message");
                List<Integer> types = new ArrayList<>();
                shared.messageChannel().poll((type, payload) -> types.add(type));
                assertTrue(types.contains(7), shared + " delivered " + types);
            }
        }

        @Override
        public void close() throws IOException {
            try (arena; one; many) {
                one.unlink();
                many.unlink();
            } finally {
                assertFalse(Files.exists(Path.of("/dev/shm", unused().substring(1))), "left in /dev/shm");
            }
        }
    }

    static Stream<Case<Fixture>> cases() {
        return Stream.of(
                // creating and attaching in a caller's segment
                nullArgument("OneToOneChannel.create(null)", "segment", f -> OneToOneChannel.create(null, 4096, 64)),
                illegal("OneToOneChannel.create(capacity=1000)", "capacity=1000",
                        f -> OneToOneChannel.create(f.memory, 1000, 64)),
                illegal("OneToOneChannel.create(capacity=0)", "capacity=0", f -> OneToOneChannel.create(f.memory, 0, 64)),
                illegal("OneToOneChannel.create(capacity=-4096)", "capacity=-4096",
                        f -> OneToOneChannel.create(f.memory, -4096, 64)),
                illegal("OneToOneChannel.create(capacity > segment)", "byteSize",
                        f -> OneToOneChannel.create(f.memory, 1L << 40, 64)),
                illegal("OneToOneChannel.create(maxMessageLength=0)", "maxMessageLength=0",
                        f -> OneToOneChannel.create(f.memory, 4096, 0)),
                illegal("OneToOneChannel.create(maxMessageLength=-1)", "maxMessageLength=-1",
                        f -> OneToOneChannel.create(f.memory, 4096, -1)),
                illegal("OneToOneChannel.create(maxMessageLength > capacity/8)", "maxMessageLength=4096",
                        f -> OneToOneChannel.create(f.memory, 4096, 4096)),
                illegal("ManyToOneChannel.create(capacity=3000)", "capacity=3000",
                        f -> ManyToOneChannel.create(f.memory, 3000, 64)),
                nullArgument("OneToOneChannel.attach(null)", "segment", f -> OneToOneChannel.attach(null)),
                of("OneToOneChannel.attach(zeroed memory)", ChannelFormatException.class, "magic",
                        f -> OneToOneChannel.attach(f.memory)),
                of("ManyToOneChannel.attach(zeroed memory)", ChannelFormatException.class, "magic",
                        f -> ManyToOneChannel.attach(f.memory)),
                of("OneToOneChannel.attach(tiny segment)", ChannelFormatException.class, "byteSize",
                        f -> OneToOneChannel.attach(f.memory.asSlice(0, 64))),
                of("OneToOneChannel.attach(a many-producer channel)", ChannelFormatException.class, "many-producer",
                        f -> OneToOneChannel.attach(f.many.mapping().segment())),
                illegal("OneToOneChannel.create over a channel", "already holds a channel",
                        f -> OneToOneChannel.create(f.one.mapping().segment(), 4096, 64)),

                // producing
                illegal("tryClaim(type=0)", "type=0", f -> f.channel().tryClaim(0, 4)),
                illegal("tryClaim(type=-1)", "type=-1", f -> f.channel().tryClaim(-1, 4)),
                illegal("tryClaim(length=-1)", "length=-1", f -> f.channel().tryClaim(1, -1)),
                illegal("tryClaim(length > maxMessageLength)", "length=65", f -> f.channel().tryClaim(1, 65)),
                illegal("ManyToOne tryClaim(length=Integer.MAX_VALUE)", "length=2147483647",
                        f -> f.many.manyToOne().tryClaim(1, Integer.MAX_VALUE)),
                illegalState("tryClaim twice", "already open", f -> {
                    f.channel().tryClaim(1, 4);
                    try {
                        f.channel().tryClaim(1, 4);
                    } finally {
                        f.channel().abort();
                    }
                }),
                illegalState("commit() without a claim", "claim", f -> f.channel().commit()),
                illegalState("abort() without a claim", "claim", f -> f.channel().abort()),
                illegalState("ManyToOne commit() without a claim", "claim", f -> f.many.manyToOne().commit()),
                nullArgument("offer(MemorySegment null)", "payload", f -> f.channel().offer(1, (MemorySegment) null)),
                nullArgument("offer(byte[] null)", "payload", f -> f.channel().offer(1, null, 0, 1)),
                nullArgument("offer(ByteBuffer null)", "payload", f -> f.channel().offer(1, (ByteBuffer) null)),
                outOfRange("offer(offset=-1)", "-1", f -> f.channel().offer(1, new byte[8], -1, 2)),
                outOfRange("offer(length past the array)", "100", f -> f.channel().offer(1, new byte[8], 0, 100)),
                illegal("offer(65 bytes > maxMessageLength)", "length=65",
                        f -> f.channel().offer(1, new byte[65], 0, 65)),
                illegal("offer(type=0)", "type=0", f -> f.channel().offer(0, new byte[1], 0, 1)),
                illegal("put(negative timeout)", "negative",
                        f -> f.channel().put(1, new byte[1], 0, 1, Duration.ofSeconds(-1))),
                illegal("claim(negative timeout)", "negative", f -> f.channel().claim(1, 4, Duration.ofMillis(-1))),
                nullArgument("put(null payload)", "payload",
                        f -> f.channel().put(1, (MemorySegment) null, Duration.ZERO)),

                // consuming
                nullArgument("poll(null)", "handler", f -> f.channel().poll(null)),
                nullArgument("poll(null, limit)", "handler", f -> f.channel().poll(null, 1)),
                nullArgument("poll(null, timeout)", "handler", f -> f.channel().poll(null, Duration.ZERO)),
                nullArgument("take(null)", "handler", f -> f.channel().take(null)),
                illegal("poll(limit=-1)", "limit=-1", f -> f.channel().poll(IGNORE, -1)),
                illegal("poll(limit=0)", "limit=0", f -> f.channel().poll(IGNORE, 0)),
                illegal("poll(negative timeout)", "negative", f -> f.channel().poll(IGNORE, 1, Duration.ofNanos(-1))),
                of("a handler that throws", IllegalStateException.class, "handler failed", f -> {
                    f.channel().offer(3, new byte[] {1}, 0, 1);
                    f.channel().poll((type, payload) -> {
                        throw new IllegalStateException("handler failed");
                    });
                }),
                nullArgument("waitStrategy(null)", "strategy", f -> f.channel().waitStrategy(null)),
                nullArgument("ManyToOne waitStrategy(null)", "strategy", f -> f.many.manyToOne().waitStrategy(null)),
                illegal("WaitStrategy.parking(min=0)", "minParkNanos=0", f -> WaitStrategy.parking(0, 1000)),
                illegal("WaitStrategy.parking(max < min)", "maxParkNanos=5", f -> WaitStrategy.parking(10, 5)),
                illegal("WaitStrategy.parking(max=Long.MAX_VALUE)", "maxParkNanos=" + Long.MAX_VALUE,
                        f -> WaitStrategy.parking(1, Long.MAX_VALUE)),
                illegal("WaitStrategy.hybrid(spins=-1)", "spins=-1", f -> WaitStrategy.hybrid(-1)),

                // SharedChannel
                illegal("SharedChannel.create(capacity=1000)", "capacity=1000",
                        f -> SharedChannel.create(f.unused(), 1000, 64)),
                illegal("SharedChannel.create(maxMessageLength=0)", "maxMessageLength=0",
                        f -> SharedChannel.create(f.unused(), 4096, 0)),
                errno("SharedChannel.create(capacity=2^62)", "ENOMEM",
                        f -> SharedChannel.create(f.unused(), 1L << 62, 64)),
                errno("SharedChannel.create(existing)", "EEXIST", f -> SharedChannel.create(f.name, 4096, 64)),
                errno("SharedChannel.attach(missing)", "ENOENT", f -> SharedChannel.attach(f.unused())),
                of("SharedChannel.attach(not a channel)", ChannelFormatException.class, "magic", f -> {
                    try (PosixSharedMemory other = PosixSharedMemory.create(f.unused(), 8192)) {
                        SharedChannel.attach(f.unused());
                    } finally {
                        PosixSharedMemory.unlinkIfExists(f.unused());
                    }
                }),
                illegalState("SharedChannel.channel() of a many-producer channel", "manyToOne",
                        f -> f.many.channel()),
                illegalState("SharedChannel.manyToOne() of a one-producer channel", "channel()",
                        f -> f.one.manyToOne()),
                illegalState("closed SharedChannel offer", "closed", f -> {
                    SharedChannel other = SharedChannel.attach(f.name);
                    other.close();
                    other.channel().offer(1, new byte[1], 0, 1);
                }),
                illegalState("closed SharedChannel poll", "closed", f -> {
                    SharedChannel other = SharedChannel.attach(f.name);
                    other.close();
                    other.channel().poll(IGNORE);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRefusedClearlyAndTheObjectsStayUsable(Case<Fixture> row) throws Throwable {
        try (Fixture f = new Fixture()) {
            BadInput.check(row, f);
            f.stillWorks();
        }
    }
}
