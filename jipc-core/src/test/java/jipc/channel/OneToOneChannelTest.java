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
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

/** The ring arithmetic on heap segments: alignment, wrap, padding, full ring, claims, header checks. */
class OneToOneChannelTest {
    private static final int CAPACITY = 1024;

    private static MemorySegment newSegment(long capacity) {
        // long[] backing: 8-byte aligned, so the atomic accesses are legal on the heap too
        return MemorySegment.ofArray(new long[(int) (ChannelDescriptor.segmentSize(capacity) / 8)]);
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    private static List<byte[]> drain(OneToOneChannel channel) {
        List<byte[]> out = new ArrayList<>();
        channel.poll((type, payload) -> out.add(payload.toArray(ValueLayout.JAVA_BYTE)));
        return out;
    }

    @Test
    void recordSpaceIsHeaderPlusPayloadAlignedToEight() {
        assertEquals(8, RecordDescriptor.recordSpace(0));
        assertEquals(16, RecordDescriptor.recordSpace(1));
        assertEquals(16, RecordDescriptor.recordSpace(8));
        assertEquals(24, RecordDescriptor.recordSpace(9));
    }

    @Test
    void messagesArriveInOrderWithTheirTypes() {
        OneToOneChannel channel = OneToOneChannel.create(newSegment(CAPACITY), CAPACITY, 100);
        assertTrue(channel.offer(7, bytes(3, 1), 0, 3));
        assertTrue(channel.offer(9, bytes(0, 0), 0, 0));
        List<Integer> types = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        assertEquals(2, channel.poll((t, p) -> {
            types.add(t);
            payloads.add(p.toArray(ValueLayout.JAVA_BYTE));
        }));
        assertEquals(List.of(7, 9), types);
        assertArrayEquals(bytes(3, 1), payloads.get(0));
        assertEquals(0, payloads.get(1).length);
        assertEquals(16 + 8, channel.tailPosition());
        assertEquals(channel.tailPosition(), channel.headPosition());
    }

    @Test
    void offerReturnsFalseWhenRingFullAndTrueOnceConsumed() {
        OneToOneChannel channel = OneToOneChannel.create(newSegment(CAPACITY), CAPACITY, 120);
        int sent = 0;
        while (channel.offer(1, bytes(120, sent), 0, 120)) {
            sent++;
        }
        // 8 + 120 = 128 bytes a record; the last 8 bytes stay free (the length word after the last record)
        assertEquals(CAPACITY / 128 - 1, sent);
        assertEquals(CAPACITY - 128, channel.size());
        assertTrue(channel.offer(1, bytes(112, 0), 0, 112), "120 bytes of record + 8 free: exactly full");
        assertEquals(CAPACITY - 8, channel.size());
        assertFalse(channel.offer(1, bytes(0, 0), 0, 0));
        assertEquals(1, channel.poll((t, p) -> { }, 1));
        assertTrue(channel.offer(1, bytes(112, 0), 0, 112));
        assertFalse(channel.offer(1, bytes(1, 0), 0, 1));
    }

    @Test
    void messageThatDoesNotFitBeforeTheEndIsPaddedAndWrapsToIndexZero() {
        OneToOneChannel channel = OneToOneChannel.create(newSegment(CAPACITY), CAPACITY, 120);
        // 7 records of 128 bytes: tail at 896, 128 bytes left before the end
        for (int i = 0; i < 7; i++) {
            assertTrue(channel.offer(1, bytes(120, i), 0, 120));
        }
        assertEquals(7, drain(channel).size());
        assertTrue(channel.offer(1, bytes(100, 5), 0, 100)); // 112 bytes: fits at 896
        assertTrue(channel.offer(2, bytes(40, 6), 0, 40));   // 48 bytes: 16 left, padding 16, record at 0
        assertEquals(896 + 112 + 16 + 48, channel.tailPosition());
        List<byte[]> got = drain(channel);
        assertEquals(2, got.size(), "padding is not a message");
        assertArrayEquals(bytes(100, 5), got.get(0));
        assertArrayEquals(bytes(40, 6), got.get(1));
        assertEquals(channel.tailPosition(), channel.headPosition());
    }

    @Test
    void offerOfASegmentWritesTheSameBytesAsAClaimAndCommitAcrossWraps() {
        // offer(int, MemorySegment) publishes records that end before the ring's end in one method (one 64-bit header
        // store, the small payloads copied 8 bytes at a time); offer(int, byte[], ...) takes the claim and commit.
        // Fed the same messages, the two rings (records, zeroed length words, padding) and positions must be equal
        // after every step, through many wraps and full rings.
        long capacity = 2 * CAPACITY;
        MemorySegment direct = newSegment(capacity);
        MemorySegment general = newSegment(capacity);
        OneToOneChannel a = OneToOneChannel.create(direct, capacity, 200);
        OneToOneChannel b = OneToOneChannel.create(general, capacity, 200);
        SplittableRandom random = new SplittableRandom(5);
        int refused = 0;
        for (int step = 0; step < 5_000; step++) {
            if (random.nextInt(4) == 0) {
                assertEquals(drain(b).size(), drain(a).size(), "step " + step);
            } else {
                int length = random.nextInt(201);
                byte[] payload = bytes(length, step);
                boolean sentDirect = a.offer(1 + step % 9, MemorySegment.ofArray(payload));
                boolean sentGeneral = b.offer(1 + step % 9, payload, 0, length);
                assertEquals(sentGeneral, sentDirect, "step " + step);
                refused += sentDirect ? 0 : 1;
            }
            assertEquals(-1, direct.asSlice(ChannelDescriptor.HEADER_LENGTH)
                    .mismatch(general.asSlice(ChannelDescriptor.HEADER_LENGTH)), "step " + step);
            assertEquals(b.tailPosition(), a.tailPosition(), "step " + step);
            assertEquals(b.headPosition(), a.headPosition(), "step " + step);
        }
        assertTrue(a.tailPosition() > 50 * capacity, "wrapped many times: tail " + a.tailPosition());
        assertTrue(refused > 0, "the ring was full at times");
    }

    @Test
    void theConsumerWritesNothingToTheRingAndOldRecordsAreNeverReadAgain() {
        MemorySegment segment = newSegment(CAPACITY);
        OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 120);
        MemorySegment ring = segment.asSlice(ChannelDescriptor.HEADER_LENGTH, CAPACITY);
        // lap 1: large records; what the consumer leaves behind is exactly what the producer wrote
        for (int i = 0; i < 7; i++) {
            assertTrue(channel.offer(1, bytes(120, i), 0, 120));
        }
        byte[] written = ring.toArray(ValueLayout.JAVA_BYTE);
        assertEquals(7, drain(channel).size());
        assertArrayEquals(written, ring.toArray(ValueLayout.JAVA_BYTE), "the consumer zeroes nothing");
        // lap 2 over lap 1's bytes: records of other sizes start inside old payloads and end on old lengths; the
        // consumer stops at the zeroed length word after the last new record, never at an old record
        List<byte[]> sent = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            int length = 1 + (round * 37) % 119;
            byte[] message = bytes(length, round);
            assertTrue(channel.offer(2, message, 0, length));
            sent.add(message);
            if (round % 3 == 2) {
                List<byte[]> got = drain(channel);
                assertEquals(sent.size(), got.size(), "round " + round);
                for (int k = 0; k < got.size(); k++) {
                    assertArrayEquals(sent.get(k), got.get(k));
                }
                sent.clear();
                assertEquals(0, drain(channel).size(), "nothing beyond the tail");
            }
        }
    }

    @Test
    void largeMessagesTakeTheNativeCopyAndStillWrapCleanly() {
        // Payloads from 16 KiB on go through libc memcpy: on a heap segment (long[]) and a native one, from byte[]
        // and from segments, across the wrap.
        long capacity = 256 * 1024;
        int max = (int) (capacity / 8 - 8);
        try (Arena arena = Arena.ofConfined()) {
            for (MemorySegment segment : List.of(newSegment(capacity),
                    arena.allocate(ChannelDescriptor.segmentSize(capacity), 4096))) {
                OneToOneChannel channel = OneToOneChannel.create(segment, capacity, max);
                List<byte[]> sent = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int length = i % 3 == 0 ? max : 16 * 1024 + 8 * i + i % 8;
                    byte[] message = bytes(length, i);
                    boolean ok = i % 2 == 0 ? channel.offer(1, message, 0, length)
                            : channel.offer(1, arena.allocate(length).copyFrom(MemorySegment.ofArray(message)));
                    assertTrue(ok, "message " + i);
                    sent.add(message);
                    if (i % 4 == 3) {
                        List<byte[]> got = drain(channel);
                        for (int k = 0; k < got.size(); k++) {
                            assertArrayEquals(sent.get(k), got.get(k), "message " + k + " of this batch");
                        }
                        assertEquals(sent.size(), got.size());
                        sent.clear();
                    }
                }
                assertEquals(channel.tailPosition(), channel.headPosition());
                assertTrue(channel.tailPosition() > 2 * capacity, "wrapped at least twice");
            }
        }
    }

    @Test
    void pollRingHandsTheSameReadOnlyRingWithEachPayloadsPlaceAcrossWraps() throws Exception {
        OneToOneChannel channel = OneToOneChannel.create(newSegment(CAPACITY), CAPACITY, 120);
        List<MemorySegment> rings = new ArrayList<>();
        List<byte[]> got = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        RingHandler handler = (type, ring, offset, length) -> {
            assertEquals(0, offset % 8, "payload offset " + offset);
            rings.add(ring);
            types.add(type);
            got.add(ring.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
        };
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 50; round++) { // ~60 bytes a message: the 1 KiB ring wraps many times
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] message = bytes(random.nextInt(121), round * 3 + i);
                assertTrue(channel.offer(1 + i, message, 0, message.length));
                sent.add(message);
            }
            got.clear();
            types.clear();
            assertEquals(2, channel.pollRing(handler, 2), "the limit");
            assertEquals(1, channel.pollRing(handler, 10, java.time.Duration.ZERO));
            assertEquals(List.of(1, 2, 3), types);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(sent.get(i), got.get(i), "round " + round + ", message " + i);
            }
        }
        assertTrue(channel.tailPosition() > 2 * CAPACITY, "wrapped at least twice");
        assertEquals(channel.tailPosition(), channel.headPosition());
        for (MemorySegment ring : rings) {
            assertTrue(ring == rings.getFirst(), "the same segment on every call");
        }
        assertTrue(rings.getFirst().isReadOnly());
        assertEquals(CAPACITY, rings.getFirst().byteSize());
        assertEquals(0, channel.pollRing(handler, 1, java.time.Duration.ofMillis(20)), "nothing came: 0");
        assertThrows(NullPointerException.class, () -> channel.pollRing(null, 1));
        assertThrows(IllegalArgumentException.class, () -> channel.pollRing(handler, 0));
    }

    @Test
    void claimIsInvisibleUntilCommitAndAbortGivesTheRoomBack() {
        OneToOneChannel channel = OneToOneChannel.create(newSegment(CAPACITY), CAPACITY, 120);
        MemorySegment slot = channel.tryClaim(4, 10);
        assertNotNull(slot);
        assertEquals(10, slot.byteSize());
        slot.copyFrom(MemorySegment.ofArray(bytes(10, 3)));
        assertEquals(0, channel.poll((t, p) -> { }));
        assertThrows(IllegalStateException.class, () -> channel.tryClaim(4, 1));
        channel.commit();
        List<byte[]> got = drain(channel);
        assertArrayEquals(bytes(10, 3), got.getFirst());

        assertNotNull(channel.tryClaim(4, 10));
        long tail = channel.tailPosition();
        channel.abort();
        assertEquals(tail, channel.tailPosition());
        assertEquals(0, channel.poll((t, p) -> { }));
        assertThrows(IllegalStateException.class, channel::commit);
    }

    @Test
    void claimSliceCannotReachOutsideItsMessage() {
        OneToOneChannel channel = OneToOneChannel.create(newSegment(CAPACITY), CAPACITY, 120);
        MemorySegment slot = channel.tryClaim(1, 5);
        assertThrows(IndexOutOfBoundsException.class, () -> slot.set(ValueLayout.JAVA_BYTE, 5, (byte) 1));
        channel.abort();
    }

    @Test
    void handlerSeesAReadOnlyPayload() {
        OneToOneChannel channel = OneToOneChannel.create(newSegment(CAPACITY), CAPACITY, 120);
        channel.offer(1, bytes(4, 0), 0, 4);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        channel.poll((t, p) -> {
            try {
                p.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        assertTrue(thrown.get() instanceof IllegalArgumentException iae
                && iae.getMessage().contains("read-only"), String.valueOf(thrown.get()));
    }

    @Test
    void tooLongMessagesAndBadTypesAreRefusedWithValues() {
        OneToOneChannel channel = OneToOneChannel.create(newSegment(CAPACITY), CAPACITY, 120);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> channel.offer(1, bytes(121, 0), 0, 121));
        assertEquals("length=121 not in [0, maxMessageLength=120]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> channel.tryClaim(0, 1));
        assertThrows(IllegalArgumentException.class, () -> channel.tryClaim(-1, 1));
    }

    @Test
    void createRefusesBadGeometry() {
        assertThrows(IllegalArgumentException.class, () -> OneToOneChannel.create(newSegment(1024), 1000, 10));
        assertThrows(IllegalArgumentException.class, () -> OneToOneChannel.create(newSegment(1024), 2048, 10));
        assertThrows(IllegalArgumentException.class, () -> OneToOneChannel.create(newSegment(1024), 1024, 121));
        MemorySegment segment = newSegment(1024);
        OneToOneChannel.create(segment, 1024, 10);
        assertThrows(IllegalArgumentException.class, () -> OneToOneChannel.create(segment, 1024, 10));
    }

    @Test
    void attachChecksEveryHeaderFieldAndWritesNothing() throws Exception {
        MemorySegment segment = newSegment(CAPACITY);
        ChannelFormatException empty = assertThrows(ChannelFormatException.class,
                () -> OneToOneChannel.attach(segment));
        assertTrue(empty.getMessage().startsWith("magic=0x0 != 0x314e48434350494a"), empty.getMessage());

        OneToOneChannel.create(segment, CAPACITY, 100).offer(1, bytes(5, 0), 0, 5);
        byte[] before = segment.toArray(ValueLayout.JAVA_BYTE);
        OneToOneChannel attached = OneToOneChannel.attach(segment);
        assertArrayEquals(before, segment.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(1, attached.poll((t, p) -> { }));

        segment.set(ValueLayout.JAVA_INT, ChannelDescriptor.VERSION_OFFSET, 99);
        assertEquals("layout version=99 != supported=3",
                assertThrows(ChannelFormatException.class, () -> OneToOneChannel.attach(segment)).getMessage());
        segment.set(ValueLayout.JAVA_INT, ChannelDescriptor.VERSION_OFFSET, ChannelDescriptor.LAYOUT_VERSION);
        segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.CAPACITY_OFFSET, 3000);
        assertThrows(ChannelFormatException.class, () -> OneToOneChannel.attach(segment));
        segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.CAPACITY_OFFSET, 1L << 40);
        assertTrue(assertThrows(ChannelFormatException.class, () -> OneToOneChannel.attach(segment))
                .getMessage().startsWith("segment.byteSize()="));
        segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.CAPACITY_OFFSET, CAPACITY);
        segment.set(ValueLayout.JAVA_INT, ChannelDescriptor.MAX_MESSAGE_LENGTH_OFFSET, -5);
        assertThrows(ChannelFormatException.class, () -> OneToOneChannel.attach(segment));
    }

    @Test
    void corruptRecordLengthIsReportedNotFollowed() {
        MemorySegment segment = newSegment(CAPACITY);
        OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 100);
        segment.set(ValueLayout.JAVA_INT, ChannelDescriptor.HEADER_LENGTH, 5000);
        ChannelCorruptedException e = assertThrows(ChannelCorruptedException.class,
                () -> channel.poll((t, p) -> { }));
        assertEquals("corrupt channel: record length=5000 at position 0: not in [8, " + CAPACITY + "]",
                e.getMessage());
        assertEquals(ChannelCorruptedException.RECORD_LENGTH, e.field());
        assertEquals(0, e.position());
        assertEquals(5000, e.value());
    }

    @Test
    void twoThreadsMoveRandomMessagesWithoutLossOrTearing() throws Exception {
        int count = 200_000;
        long capacity = 64 * 1024;
        MemorySegment segment = newSegment(capacity);
        OneToOneChannel producerSide = OneToOneChannel.create(segment, capacity, 1000);
        OneToOneChannel consumerSide = OneToOneChannel.attach(segment);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = Thread.ofPlatform().start(() -> {
            SplittableRandom random = new SplittableRandom(42);
            byte[] buf = new byte[1000];
            for (int seq = 0; seq < count; seq++) {
                int length = 8 + random.nextInt(993);
                random.nextBytes(buf);
                MemorySegment.ofArray(buf).set(ValueLayout.JAVA_INT_UNALIGNED, 0, seq);
                CRC32C crc = new CRC32C();
                crc.update(buf, 8, length - 8);
                MemorySegment.ofArray(buf).set(ValueLayout.JAVA_INT_UNALIGNED, 4, (int) crc.getValue());
                while (!producerSide.offer(1 + (seq & 7), buf, 0, length)) {
                    Thread.onSpinWait();
                }
            }
        });
        int[] expected = {0};
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (expected[0] < count && failure.get() == null && System.nanoTime() < deadline) {
            consumerSide.poll((type, payload) -> {
                int seq = payload.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
                CRC32C crc = new CRC32C();
                crc.update(payload.asSlice(8).toArray(ValueLayout.JAVA_BYTE));
                if (seq != expected[0] || type != 1 + (seq & 7)
                        || payload.get(ValueLayout.JAVA_INT_UNALIGNED, 4) != (int) crc.getValue()) {
                    failure.compareAndSet(null, new AssertionError("message " + expected[0] + ": seq=" + seq
                            + " type=" + type));
                }
                expected[0]++;
            });
        }
        producer.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(count, expected[0]);
    }
}
