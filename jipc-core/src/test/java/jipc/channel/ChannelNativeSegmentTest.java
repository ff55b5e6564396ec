package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A channel on a native segment (a mapping, as in real use) writes exactly the bytes a channel on a heap segment
 * writes for the same calls, and a segment closed under it (in a handler, before a commit) or used from a foreign
 * thread throws instead of being touched: the guard against any future hot path that skips the segment's checks.
 */
@Timeout(60)
class ChannelNativeSegmentTest {
    private static final int CAPACITY = 1024;
    private static final int MAX = 120;

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    private record Message(int type, byte[] payload) {
    }

    private static List<Message> poll(OneToOneChannel channel, int limit) {
        List<Message> out = new ArrayList<>();
        channel.poll((type, payload) -> out.add(new Message(type, payload.toArray(ValueLayout.JAVA_BYTE))), limit);
        return out;
    }

    @Test
    void nativeAndHeapChannelsWriteTheSameBytesThroughWrapsPaddingAndAFullRing() {
        long size = ChannelDescriptor.segmentSize(CAPACITY);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSegment = arena.allocate(size, 4096);
            MemorySegment heapSegment = MemorySegment.ofArray(new long[(int) (size / 8)]);
            OneToOneChannel direct = OneToOneChannel.create(nativeSegment, CAPACITY, MAX);
            OneToOneChannel checked = OneToOneChannel.create(heapSegment, CAPACITY, MAX);
            MemorySegment payload = arena.allocate(MAX, 8);
            SplittableRandom random = new SplittableRandom(42);
            int sent = 0;
            int refused = 0;
            int padded = 0;
            for (int step = 0; step < 20_000; step++) {
                int length = random.nextInt(MAX + 1);
                int type = 1 + random.nextInt(1000);
                byte[] data = bytes(length, step);
                long tailBefore = direct.tailPosition();
                boolean a;
                boolean b;
                switch (random.nextInt(3)) {
                    case 0 -> {
                        MemorySegment.copy(data, 0, payload, ValueLayout.JAVA_BYTE, 0, length);
                        a = direct.offer(type, payload.asSlice(0, length));
                        b = checked.offer(type, MemorySegment.ofArray(data));
                    }
                    case 1 -> {
                        a = direct.offer(type, data, 0, length);
                        b = checked.offer(type, data, 0, length);
                    }
                    default -> {
                        MemorySegment x = direct.tryClaim(type, length);
                        MemorySegment y = checked.tryClaim(type, length);
                        a = x != null;
                        b = y != null;
                        if (a && b) {
                            MemorySegment.copy(data, 0, x, ValueLayout.JAVA_BYTE, 0, length);
                            MemorySegment.copy(data, 0, y, ValueLayout.JAVA_BYTE, 0, length);
                            direct.commit();
                            checked.commit();
                        }
                    }
                }
                assertEquals(b, a, "step " + step);
                if (a) {
                    sent++;
                    if (direct.tailPosition() - tailBefore > RecordDescriptor.recordSpace(length)) {
                        padded++;
                    }
                } else {
                    refused++;
                }
                if (random.nextInt(3) == 0) {
                    int limit = 1 + random.nextInt(4);
                    List<Message> x = poll(direct, limit);
                    List<Message> y = poll(checked, limit);
                    assertEquals(y.size(), x.size(), "step " + step);
                    for (int i = 0; i < x.size(); i++) {
                        assertEquals(y.get(i).type(), x.get(i).type());
                        assertArrayEquals(y.get(i).payload(), x.get(i).payload());
                    }
                }
                assertSameBesidesParties(nativeSegment, heapSegment, step);
            }
            assertTrue(sent > 10_000 && refused > 100 && padded > 100,
                    "sent " + sent + ", refused " + refused + ", padded " + padded);
        }
    }

    /** A channel in native memory of {@code arena}, which the test closes under it. */
    private static OneToOneChannel channelIn(Arena arena) {
        return OneToOneChannel.create(arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096), CAPACITY, MAX);
    }

    @Test
    void aHandlerThatClosesTheSegmentMakesPollThrowInsteadOfTouchingIt() {
        Arena arena = Arena.ofConfined();
        OneToOneChannel channel = channelIn(arena);
        assertTrue(channel.offer(1, bytes(8, 1), 0, 8));
        assertTrue(channel.offer(2, bytes(8, 2), 0, 8));
        List<Integer> seen = new ArrayList<>();
        assertThrows(IllegalStateException.class, () -> channel.poll((type, payload) -> {
            seen.add(type);
            arena.close();
        }));
        assertEquals(List.of(1), seen, "the second message must not be read from the closed segment");
        assertThrows(IllegalStateException.class, () -> channel.poll((type, payload) -> { }));
        assertThrows(IllegalStateException.class, () -> channel.offer(3, bytes(8, 3), 0, 8));
    }

    @Test
    void aHandlerThatClosesTheSegmentAtTheLimitMakesTheGiveBackThrow() {
        Arena arena = Arena.ofConfined();
        OneToOneChannel channel = channelIn(arena);
        assertTrue(channel.offer(1, bytes(8, 1), 0, 8));
        assertThrows(IllegalStateException.class, () -> channel.poll((type, payload) -> arena.close(), 1));
    }

    @Test
    void aCommitAfterTheSegmentWasClosedThrows() {
        Arena arena = Arena.ofConfined();
        OneToOneChannel channel = channelIn(arena);
        assertNotNull(channel.tryClaim(1, 16));
        arena.close();
        assertThrows(IllegalStateException.class, channel::commit);
    }

    @Test
    void anotherThreadCannotUseAConfinedSegment() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            OneToOneChannel channel = OneToOneChannel.create(
                    arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096), CAPACITY, MAX);
            assertTrue(channel.offer(1, bytes(8, 1), 0, 8));
            for (Runnable call : List.<Runnable>of(
                    () -> channel.offer(2, bytes(8, 2), 0, 8),
                    () -> channel.poll((type, payload) -> { }))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> CompletableFuture.runAsync(call).get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof WrongThreadException, e.getCause().toString());
            }
            assertFalse(poll(channel, 10).isEmpty(), "the owner thread still reads the first message");
        }
    }

    /**
     * The two segments hold the same bytes except the role words and their display fields (creator, producer and
     * consumer party, pid, pid namespace), which name two different parties of this process.
     */
    private static void assertSameBesidesParties(MemorySegment a, MemorySegment b, int step) {
        long[][] ranges = {
            {0, ChannelDescriptor.CREATOR_PARTY_OFFSET},
            {ChannelDescriptor.TAIL_OFFSET, ChannelDescriptor.CONSUMER_PARTY_OFFSET},
            {ChannelDescriptor.PENDING_HEAD_OFFSET, ChannelDescriptor.PENDING_HEAD_OFFSET + 8},
            {ChannelDescriptor.PRODUCER_SLOTS_OFFSET, a.byteSize()},
        };
        for (long[] r : ranges) {
            assertEquals(-1, a.asSlice(r[0], r[1] - r[0]).mismatch(b.asSlice(r[0], r[1] - r[0])),
                    "segments differ in [" + r[0] + ", " + r[1] + ") after step " + step);
        }
    }
}
