package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile peer, in one process: after a few honest messages, the fuzzer writes what it likes into the channel's
 * shared segment (header fields, positions, the pending head, the wake words, the consumer identity, producer slots,
 * record headers, any ring byte) between the calls of a Java consumer and Java producers. Every call must return
 * (bounded time; a blocking call by its timeout) with a clean result or a documented exception: a
 * {@link ChannelCorruptedException} naming the corrupt field, or the documented {@link IllegalStateException}s of
 * a channel whose slots or consumer role a (forged) live process holds. Anything else (an
 * {@link IndexOutOfBoundsException} from the FFM bounds checks, an arithmetic surprise, a hang) is a finding.
 *
 * <p>{@code mvn verify} replays the inputs under {@code src/test/resources/jipc/channel/ChannelFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1 mvn -pl jipc-core test -Dtest=ChannelFuzzTest#oneToOneSurvivesAHostilePeer} fuzzes (see
 * README, Reliability).
 */
@Timeout(360)
class ChannelFuzzTest {
    private static final long CAPACITY = 1024;
    private static final int MAX = 100;
    /** A call that takes longer than this is a finding (the blocking ones wait at most {@link #WAIT}). */
    private static final long CALL_BOUND_NANOS = 2_000_000_000L;
    private static final Duration WAIT = Duration.ofMillis(2);

    /** Header words a hostile peer may aim at: offset and width. */
    private static final int[][] FIELDS = {
        {ChannelDescriptor.TAIL_OFFSET, 8},
        {ChannelDescriptor.HEAD_OFFSET, 8},
        {ChannelDescriptor.PENDING_HEAD_OFFSET, 8},
        {ChannelDescriptor.CONSUMER_WAKE_OFFSET, 4},
        {ChannelDescriptor.CONSUMER_WAITING_OFFSET, 4},
        {ChannelDescriptor.PRODUCER_WAKE_OFFSET, 4},
        {ChannelDescriptor.PRODUCERS_WAITING_OFFSET, 8},
        {ChannelDescriptor.CONSUMER_PARTY_OFFSET, 8},
        {ChannelDescriptor.CONSUMER_PID_OFFSET, 4},
        {ChannelDescriptor.CONSUMER_PID_NAMESPACE_OFFSET, 8},
        {ChannelDescriptor.PRODUCER_PARTY_OFFSET, 8},
        {ChannelDescriptor.CREATOR_PARTY_OFFSET, 8},
        {ChannelDescriptor.MAGIC_OFFSET, 8},
        {ChannelDescriptor.VERSION_OFFSET, 4},
        {ChannelDescriptor.FLAGS_OFFSET, 4},
        {ChannelDescriptor.CAPACITY_OFFSET, 8},
        {ChannelDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4},
        {ChannelDescriptor.HEADER_LENGTH_OFFSET, 4},
    };

    @FuzzTest(maxDuration = "5m")
    void oneToOneSurvivesAHostilePeer(FuzzedDataProvider data) {
        run(data, false);
    }

    @FuzzTest(maxDuration = "5m")
    void manyToOneSurvivesAHostilePeer(FuzzedDataProvider data) {
        run(data, true);
    }

    private static void run(FuzzedDataProvider data, boolean many) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
            RingChannel consumer = many ? ManyToOneChannel.create(segment, CAPACITY, MAX)
                    : OneToOneChannel.create(segment, CAPACITY, MAX);
            RingChannel producer = consumer;
            // an honest start: some messages sent, some consumed, so positions and records are not all zero
            int sent = data.consumeInt(0, 24);
            for (int i = 0; i < sent; i++) {
                producer.offer(1 + i, new byte[data.consumeInt(0, MAX)], 0, 0);
            }
            consumer.poll(ChannelFuzzTest::touch, data.consumeInt(1, Math.max(1, sent)));
            while (data.remainingBytes() > 0) {
                if (data.consumeBoolean()) {
                    scribble(data, segment);
                } else {
                    int op = data.consumeInt(0, 7);
                    RingChannel[] roles = {consumer, producer};
                    bounded(op, () -> roles[0] = call(op, data, segment, many, roles));
                    consumer = roles[0];
                    producer = roles[1];
                }
            }
        }
    }

    /** One hostile write: a header word, a producer slot word, a record header, or any byte. */
    private static void scribble(FuzzedDataProvider data, MemorySegment segment) {
        long value = data.consumeLong();
        switch (data.consumeInt(0, 5)) {
            case 0, 1 -> {
                int[] field = FIELDS[data.consumeInt(0, FIELDS.length - 1)];
                write(segment, field[0], field[1], value);
            }
            case 2 -> {
                long slot = ChannelDescriptor.producerSlotOffset(data.consumeInt(0, ChannelDescriptor.MAX_PRODUCER_SLOTS - 1));
                write(segment, slot + (data.consumeBoolean() ? ChannelDescriptor.SLOT_CLAIM_OFFSET
                        : ChannelDescriptor.SLOT_PARTY_OFFSET), 8, value);
            }
            case 3, 4 -> {
                // a record header: length and type, as one word or halves
                long at = ChannelDescriptor.HEADER_LENGTH + (data.consumeLong(0, CAPACITY - 8) & -8L);
                write(segment, at, data.pickValue(new int[] {4, 8}), value);
            }
            default -> write(segment, data.consumeLong(0, segment.byteSize() - 1), 1, value);
        }
    }

    private static void write(MemorySegment segment, long offset, int width, long value) {
        switch (width) {
            case 8 -> segment.set(ValueLayout.JAVA_LONG, offset, value);
            case 4 -> segment.set(ValueLayout.JAVA_INT, offset, (int) value);
            default -> segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
        }
    }

    /**
     * One call of the Java side. The roles may change: a new consumer (attach + register, which finishes an
     * interrupted give-back) or a new producer (attach: a one-producer one recovers the tail on its first claim).
     * Returns the consumer.
     */
    private static RingChannel call(int op, FuzzedDataProvider data, MemorySegment segment, boolean many,
            RingChannel[] roles) throws Exception {
        RingChannel consumer = roles[0];
        RingChannel producer = roles[1];
        switch (op) {
            case 0 -> consumer.poll(ChannelFuzzTest::touch, data.consumeInt(1, 64));
            case 1 -> consumer.poll(ChannelFuzzTest::touch, data.consumeInt(1, 64), WAIT);
            case 2 -> {
                consumer.unregisterConsumer(); // it goes, as a dead consumer's role would be taken over
                RingChannel fresh = attach(segment, many);
                if (fresh instanceof OneToOneChannel one) {
                    one.registerConsumer();
                } else {
                    ((ManyToOneChannel) fresh).registerConsumer();
                }
                return fresh;
            }
            case 3 -> {
                if (producer instanceof ManyToOneChannel m) {
                    m.detachProducer();
                } else {
                    ((OneToOneChannel) producer).detachProducer();
                }
                roles[1] = attach(segment, many);
            }
            case 4 -> producer.offer(1 + data.consumeInt(0, 1000), new byte[data.consumeInt(0, MAX)], 0, 0);
            case 5 -> {
                MemorySegment slot = producer.claim(1, data.consumeInt(0, MAX), WAIT);
                if (slot != null) {
                    slot.fill((byte) 0x5A);
                    if (data.consumeBoolean()) {
                        producer.commit();
                    } else {
                        producer.abort();
                    }
                }
            }
            case 6 -> {
                MemorySegment payload = MemorySegment.ofArray(new byte[data.consumeInt(0, MAX)]);
                producer.put(2, payload, WAIT);
            }
            default -> {
                consumer.hasMessage();
                consumer.size();
                consumer.isConsumerAlive();
                if (consumer instanceof ManyToOneChannel m) {
                    m.producers();
                }
            }
        }
        return consumer;
    }

    private static RingChannel attach(MemorySegment segment, boolean many) throws ChannelFormatException {
        // the header fields may be forged too: then attaching must fail with a named field, nothing else
        return many ? ManyToOneChannel.attach(segment) : OneToOneChannel.attach(segment);
    }

    /** A handler that reads every payload byte, as a real one might. */
    private static void touch(int type, MemorySegment payload) {
        long sum = 0;
        for (long i = 0; i < payload.byteSize(); i++) {
            sum += payload.get(ValueLayout.JAVA_BYTE, i);
        }
        if (sum == Long.MIN_VALUE) {
            throw new AssertionError("unreachable");
        }
    }

    interface Call {
        void run() throws Exception;
    }

    /** Runs one call; fails on an undocumented exception or a call that takes too long. */
    private static void bounded(int op, Call call) {
        long start = System.nanoTime();
        try {
            call.run();
        } catch (ChannelCorruptedException e) {
            assertTrue(e.getMessage().startsWith("corrupt channel: " + e.field() + "="), e.getMessage());
        } catch (ChannelFormatException e) {
            // a forged header met at attach: named field and values
            assertTrue(e.getMessage().contains("="), e.getMessage());
        } catch (IllegalStateException e) {
            String m = e.getMessage();
            // a forged party word in a role is a holder that cannot be judged (or this process's own): taken
            if (!(e instanceof jipc.live.RoleTakenException) && !m.contains("producer slots are held by live")) {
                throw e;
            }
        } catch (InterruptedException e) {
            fail("interrupted", e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("op " + op + ": undocumented exception", e);
        }
        long took = System.nanoTime() - start;
        if (took > CALL_BOUND_NANOS) {
            fail("op " + op + " took " + took / 1_000_000 + " ms");
        }
    }
}
