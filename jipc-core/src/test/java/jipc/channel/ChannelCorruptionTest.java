package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The corruptions the fuzzer and the hostile C peer found, one by one, as plain regression tests: each one used to
 * end in an {@link IndexOutOfBoundsException}, an {@link IllegalArgumentException} of a misaligned access, an
 * undocumented {@link IllegalStateException}, or a walk of 2^61 steps. Now a {@link ChannelCorruptedException}
 * names the field, or the channel simply goes on.
 */
@Timeout(60)
class ChannelCorruptionTest {
    private static final long CAPACITY = 1024;
    private final Arena arena = Arena.ofShared(); // the test methods run on a timeout thread

    @AfterEach
    void close() {
        arena.close();
    }

    private MemorySegment segment() {
        return arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
    }

    private static void setLong(MemorySegment segment, long offset, long value) {
        segment.set(ValueLayout.JAVA_LONG, offset, value);
    }

    @Test
    void aPendingHeadWhoseDistanceOverflowsIsReportedNotZeroed() {
        MemorySegment segment = segment();
        OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 100);
        setLong(segment, ChannelDescriptor.HEAD_OFFSET, Long.MIN_VALUE + 8);
        setLong(segment, ChannelDescriptor.TAIL_OFFSET, Long.MAX_VALUE - 7);
        setLong(segment, ChannelDescriptor.PENDING_HEAD_OFFSET, Long.MAX_VALUE - 7);
        ChannelCorruptedException e = assertThrows(ChannelCorruptedException.class, channel::registerConsumer);
        assertEquals(ChannelCorruptedException.PENDING_HEAD, e.field());
        assertEquals(Long.MAX_VALUE - 7, e.value());
        assertEquals(Long.MIN_VALUE + 8, e.position());
    }

    @Test
    void aPendingHeadBeyondTheTailIsReported() {
        MemorySegment segment = segment();
        OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 100);
        setLong(segment, ChannelDescriptor.PENDING_HEAD_OFFSET, 64);
        ChannelCorruptedException e = assertThrows(ChannelCorruptedException.class, channel::registerConsumer);
        assertEquals("corrupt channel: pending head=64 at position 0: not in (head 0, min(tail 0, head + capacity "
                + CAPACITY + ")]", e.getMessage());
    }

    @Test
    void aTailForgedFarAheadOfTheHeadIsReportedNotWalked() {
        MemorySegment segment = segment();
        OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 100);
        // every ring word a plausible padding record: a walk from the tail would find no end
        for (long i = 0; i < CAPACITY; i += 8) {
            segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.HEADER_LENGTH + i, RecordDescriptor.header(8, -1));
        }
        setLong(segment, ChannelDescriptor.HEAD_OFFSET, Long.MIN_VALUE);
        setLong(segment, ChannelDescriptor.TAIL_OFFSET, Long.MAX_VALUE & -8L);
        ChannelCorruptedException e = assertThrows(ChannelCorruptedException.class,
                () -> channel.offer(1, new byte[4], 0, 4));
        assertEquals(ChannelCorruptedException.POSITIONS, e.field());
        assertEquals(Long.MAX_VALUE & -8L, e.value());
    }

    @Test
    void oddPositionsStayOnRecordBoundariesInsideTheRing() {
        MemorySegment segment = segment();
        OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 100);
        // an odd tail close to the ring's end: a write there used to straddle the end (IndexOutOfBoundsException)
        setLong(segment, ChannelDescriptor.TAIL_OFFSET, CAPACITY - 3);
        setLong(segment, ChannelDescriptor.HEAD_OFFSET, CAPACITY - 3);
        for (int i = 0; i < 3; i++) {
            assertTrue(channel.offer(1 + i, new byte[5], 0, 5));
        }
        List<Integer> types = new ArrayList<>();
        // the odd head read with aligned 64-bit loads used to be a misaligned access (IllegalArgumentException)
        assertEquals(3, channel.poll((type, payload) -> types.add(type)));
        assertEquals(List.of(1, 2, 3), types);
    }

    @Test
    void aNegativeTailIsJustAPositionForTheProducer() throws Exception {
        MemorySegment segment = segment();
        OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 100);
        setLong(segment, ChannelDescriptor.TAIL_OFFSET, -64);
        setLong(segment, ChannelDescriptor.HEAD_OFFSET, -64);
        setLong(segment, ChannelDescriptor.PENDING_HEAD_OFFSET, -64); // as a consumer that gave back to -64 leaves it
        // the claim used to remember its tail as "the open claim", -1 meaning none: commit said "no open claim"
        MemorySegment slot = channel.claim(1, 4, Duration.ofMillis(10));
        assertNotNull(slot);
        channel.commit();
        assertEquals(1, channel.poll((t, p) -> { }));
    }

    @Test
    void anImpossibleTypeIsReportedAndTheMessagesBeforeItAreGivenBack() {
        MemorySegment segment = segment();
        OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 100);
        assertTrue(channel.offer(7, new byte[8], 0, 8));
        assertTrue(channel.offer(8, new byte[8], 0, 8));
        segment.set(ValueLayout.JAVA_INT, ChannelDescriptor.HEADER_LENGTH + 16 + RecordDescriptor.TYPE_OFFSET, 0);
        List<Integer> types = new ArrayList<>();
        ChannelCorruptedException e = assertThrows(ChannelCorruptedException.class,
                () -> channel.poll((type, payload) -> types.add(type)));
        assertEquals(List.of(7), types);
        assertEquals("corrupt channel: record type=0 at position 16: neither a message type (>= 1) nor padding (-1)",
                e.getMessage());
        assertEquals(16, channel.headPosition());
    }

    @Test
    void aClaimNamingNoProducerSlotIsReported() {
        MemorySegment segment = segment();
        ManyToOneChannel channel = ManyToOneChannel.create(segment, CAPACITY, 100);
        segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.HEADER_LENGTH, RecordDescriptor.header(-16, 52));
        setLong(segment, ChannelDescriptor.TAIL_OFFSET, 16);
        ChannelCorruptedException e = assertThrows(ChannelCorruptedException.class, () -> channel.poll((t, p) -> { }));
        assertEquals(ChannelCorruptedException.RECORD_TYPE, e.field());
        assertEquals(52, e.value());
        assertEquals(0, e.position());
    }
}
