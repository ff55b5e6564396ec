package jipc.topic;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import jipc.live.RoleTakenException;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile peer of a topic, in one process: after a few honest messages, the fuzzer writes what it likes into the
 * topic's segment (header fields, tail, intent, oldest, floor, wake words, the sleeping set, the publisher word,
 * subscriber slots, record headers, any byte) between calls of a Java publisher and Java subscribers (polls, timed
 * polls and puts, claims, new subscribers with history, new publishers). Every call must end within 2 s with a clean
 * result or a documented exception ({@link TopicCorruptedException} naming the field, {@link TopicFormatException}
 * at attach, {@link RoleTakenException} or {@link TopicFullException} for forged live holders). Anything else (an
 * {@link IndexOutOfBoundsException}, a hang, an arithmetic surprise) is a finding.
 *
 * <p>{@code mvn verify} replays the inputs under {@code src/test/resources/jipc/topic/TopicFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1 mvn -pl jipc-core test -Dtest=TopicFuzzTest#blockSurvivesAHostilePeer} fuzzes.
 */
@Timeout(360)
class TopicFuzzTest {
    private static final long CAPACITY = 1024;
    private static final int MAX = 100;
    private static final long CALL_BOUND_NANOS = 2_000_000_000L;
    private static final Duration WAIT = Duration.ofMillis(2);

    private static final int[][] FIELDS = {
        {TopicDescriptor.TAIL_OFFSET, 8},
        {TopicDescriptor.INTENT_OFFSET, 8},
        {TopicDescriptor.OLDEST_OFFSET, 8},
        {TopicDescriptor.FLOOR_OFFSET, 8},
        {TopicDescriptor.SUBSCRIBER_WAKE_OFFSET, 4},
        {TopicDescriptor.SLEEPING_OFFSET, 8},
        {TopicDescriptor.PUBLISHER_WAKE_OFFSET, 4},
        {TopicDescriptor.PUBLISHER_WAITING_OFFSET, 4},
        {TopicDescriptor.PUBLISHER_PARTY_OFFSET, 8},
        {TopicDescriptor.CREATOR_PARTY_OFFSET, 8},
        {TopicDescriptor.MAGIC_OFFSET, 8},
        {TopicDescriptor.VERSION_OFFSET, 4},
        {TopicDescriptor.FLAGS_OFFSET, 4},
        {TopicDescriptor.CAPACITY_OFFSET, 8},
        {TopicDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4},
        {TopicDescriptor.HEADER_LENGTH_OFFSET, 4},
        {TopicDescriptor.SLOT_COUNT_OFFSET, 4},
    };
    private static final int[] SLOT_FIELDS = {
        TopicDescriptor.SLOT_PARTY_OFFSET, TopicDescriptor.SLOT_CURSOR_OFFSET, TopicDescriptor.SLOT_RECEIVED_OFFSET,
        TopicDescriptor.SLOT_LOST_OFFSET,
    };

    @FuzzTest(maxDuration = "5m")
    void blockSurvivesAHostilePeer(FuzzedDataProvider data) {
        run(data, OverflowPolicy.BLOCK);
    }

    @FuzzTest(maxDuration = "5m")
    void overwriteSurvivesAHostilePeer(FuzzedDataProvider data) {
        run(data, OverflowPolicy.OVERWRITE);
    }

    private static void run(FuzzedDataProvider data, OverflowPolicy policy) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(TopicDescriptor.segmentSize(CAPACITY), 4096);
            Topic topic = Topic.create(segment, CAPACITY, MAX, policy);
            State state = new State(topic);
            try {
                run(data, segment, state);
            } finally {
                // the parties go back to this process's token (65534 per process): every run gives its own back
                state.publisher.close();
                state.subscribers.forEach(TopicSubscriber::close);
            }
        }
    }

    private static void run(FuzzedDataProvider data, MemorySegment segment, State state) {
            Topic topic = state.topic;
            state.publisher = topic.publisher();
            state.subscribers.add(topic.subscribe());
            state.subscribers.add(topic.subscribe(data.consumeInt(0, 8)));
            int sent = data.consumeInt(0, 24);
            for (int i = 0; i < sent; i++) {
                state.publisher.offer(1 + i, MemorySegment.ofArray(new byte[data.consumeInt(0, MAX)]));
            }
            while (data.remainingBytes() > 0) {
                if (data.consumeBoolean()) {
                    scribble(data, segment);
                } else {
                    int op = data.consumeInt(0, 9);
                    bounded(op, () -> call(op, data, segment, state));
                }
            }
    }

    private static final class State {
        final Topic topic;
        TopicPublisher publisher;
        final List<TopicSubscriber> subscribers = new ArrayList<>();

        State(Topic topic) {
            this.topic = topic;
        }
    }

    private static void scribble(FuzzedDataProvider data, MemorySegment segment) {
        long value = data.consumeLong();
        switch (data.consumeInt(0, 5)) {
            case 0, 1 -> {
                int[] field = FIELDS[data.consumeInt(0, FIELDS.length - 1)];
                write(segment, field[0], field[1], value);
            }
            case 2 -> {
                long slot = TopicDescriptor.slotOffset(data.consumeInt(0, TopicDescriptor.SLOT_COUNT - 1));
                write(segment, slot + SLOT_FIELDS[data.consumeInt(0, SLOT_FIELDS.length - 1)], 8, value);
            }
            case 3, 4 -> {
                long at = TopicDescriptor.HEADER_LENGTH + (data.consumeLong(0, CAPACITY - 16) & -8L);
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

    private static void call(int op, FuzzedDataProvider data, MemorySegment segment, State s) throws Exception {
        TopicSubscriber sub = s.subscribers.isEmpty() ? null
                : s.subscribers.get(data.consumeInt(0, s.subscribers.size() - 1));
        switch (op) {
            case 0 -> {
                if (sub != null) {
                    sub.poll(TopicFuzzTest::touch, data.consumeInt(1, 64));
                }
            }
            case 1 -> {
                if (sub != null) {
                    sub.poll(TopicFuzzTest::touch, data.consumeInt(1, 64), WAIT);
                }
            }
            case 2 -> s.publisher.offer(1 + data.consumeInt(0, 1000), MemorySegment.ofArray(new byte[data.consumeInt(0, MAX)]));
            case 3 -> {
                MemorySegment room = s.publisher.claim(2, data.consumeInt(0, MAX), WAIT);
                if (room != null) {
                    room.fill((byte) 0x5A);
                    if (data.consumeBoolean()) {
                        s.publisher.commit();
                    } else {
                        s.publisher.abort();
                    }
                }
            }
            case 4 -> s.publisher.put(3, MemorySegment.ofArray(new byte[data.consumeInt(0, MAX)]), WAIT);
            case 5 -> {
                if (sub != null) {
                    s.subscribers.remove(sub);
                    sub.close();
                }
            }
            case 6 -> {
                Topic attached = Topic.attach(segment); // the header may be forged: a named field, nothing else
                s.subscribers.add(attached.subscribe(data.consumeInt(0, 50)));
            }
            case 7 -> {
                s.publisher.close();
                s.publisher = Topic.attach(segment).publisher(); // if refused, the closed one stays (and says so)
            }
            default -> {
                s.topic.subscribers();
                s.topic.nextSequence();
                s.topic.subscriberCount();
                s.topic.publisherState();
                if (sub != null) {
                    sub.hasMessage();
                    sub.lag();
                }
            }
        }
    }

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

    private static void bounded(int op, Call call) {
        long start = System.nanoTime();
        try {
            call.run();
        } catch (TopicCorruptedException e) {
            assertTrue(e.getMessage().startsWith("corrupt topic: " + e.field() + "="), e.getMessage());
        } catch (TopicFormatException e) {
            assertTrue(e.getMessage().contains("="), e.getMessage());
        } catch (RoleTakenException | TopicFullException e) {
            // a forged live holder of the publisher word or of every slot
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("is closed")) { // a publisher whose successor could not take the role
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
