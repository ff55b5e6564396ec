package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;

import static jipc.channel.ChannelDescriptor.CAPACITY_OFFSET;
import static jipc.channel.ChannelDescriptor.FLAGS_OFFSET;
import static jipc.channel.ChannelDescriptor.HEADER_LENGTH;
import static jipc.channel.ChannelDescriptor.HEADER_LENGTH_OFFSET;
import static jipc.channel.ChannelDescriptor.HEAD_OFFSET;
import static jipc.channel.ChannelDescriptor.LAYOUT_VERSION;
import static jipc.channel.ChannelDescriptor.MAGIC;
import static jipc.channel.ChannelDescriptor.MAGIC_OFFSET;
import static jipc.channel.ChannelDescriptor.MAX_MESSAGE_LENGTH_OFFSET;
import static jipc.channel.ChannelDescriptor.TAIL_OFFSET;
import static jipc.channel.ChannelDescriptor.VERSION_OFFSET;
import static jipc.channel.RecordDescriptor.LENGTH_OFFSET;
import static jipc.channel.RecordDescriptor.PADDING_TYPE;
import static jipc.channel.RecordDescriptor.TYPE_OFFSET;

/**
 * A ring of variable-length messages in a shared segment, for one producer and one consumer (threads or processes).
 *
 * <p>This class holds the ring arithmetic and the memory ordering; the segment may be any mapping that both sides
 * see (POSIX shared memory, a memfd, a mapped file) or, for tests, a {@code long[]}-backed heap segment. Creating a
 * channel ({@link #create}) writes the header; attaching ({@link #attach}) only checks it and never rewrites
 * anything, so a consumer can attach while a producer is running.
 *
 * <p>Who publishes what: the producer writes a record's payload and type with plain stores, then the record's length
 * with a release store, then the tail with a release store; the consumer reads the length with an acquire load, hands
 * the payload to the handler, zeroes the record and publishes the new head with a release store; the producer reads
 * the head with an acquire load only when its cached copy says the ring might be full.
 *
 * <p>A full ring is a return value ({@code false}/{@code null}), never an exception. Nothing here blocks or makes a
 * system call.
 */
public final class OneToOneChannel {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private final MemorySegment segment;
    private final MemorySegment ring;
    private final long capacity;
    private final long mask;
    private final int maxMessageLength;

    // producer-local
    private long headCache;
    private long claimTail = -1;
    private long claimIndex;
    private long claimPadding;
    private long claimSpace;
    private int claimLength;
    private int claimType;

    private OneToOneChannel(MemorySegment segment, long capacity, int maxMessageLength) {
        this.segment = segment;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxMessageLength = maxMessageLength;
        this.ring = segment.asSlice(HEADER_LENGTH, capacity);
    }

    /**
     * Writes a new, empty channel header into {@code segment}, which must be zero (as new shared memory is) and at
     * least {@link ChannelDescriptor#segmentSize(long)} bytes. The magic is written last, with a release store, so a
     * process that attaches early sees either no channel or a complete header.
     *
     * @param capacity         the ring's size in bytes: a power of two of at least 1024
     * @param maxMessageLength the largest payload accepted, at most {@code capacity / 8 - 8}
     */
    public static OneToOneChannel create(MemorySegment segment, long capacity, int maxMessageLength) {
        Objects.requireNonNull(segment, "segment");
        long size = ChannelDescriptor.segmentSize(capacity);
        if (segment.byteSize() < size) {
            throw new IllegalArgumentException("segment.byteSize()=" + segment.byteSize() + " < required=" + size);
        }
        int limit = ChannelDescriptor.defaultMaxMessageLength(capacity);
        if (maxMessageLength < 1 || maxMessageLength > limit) {
            throw new IllegalArgumentException("maxMessageLength=" + maxMessageLength + " not in [1, " + limit + "]");
        }
        if ((long) LONG.getAcquire(segment, (long) MAGIC_OFFSET) != 0) {
            throw new IllegalArgumentException("segment already holds a channel (magic is set): attach to it instead");
        }
        segment.set(ValueLayout.JAVA_INT, VERSION_OFFSET, LAYOUT_VERSION);
        segment.set(ValueLayout.JAVA_INT, FLAGS_OFFSET, 0);
        segment.set(ValueLayout.JAVA_LONG, CAPACITY_OFFSET, capacity);
        segment.set(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength);
        segment.set(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        LONG.setRelease(segment, (long) MAGIC_OFFSET, MAGIC);
        return new OneToOneChannel(segment, capacity, maxMessageLength);
    }

    /**
     * Attaches to a channel that {@link #create} wrote, checking its header; writes nothing.
     *
     * @throws ChannelFormatException if the header is not one this code understands (named field, both values)
     */
    public static OneToOneChannel attach(MemorySegment segment) throws ChannelFormatException {
        Objects.requireNonNull(segment, "segment");
        if (segment.byteSize() < HEADER_LENGTH) {
            throw new ChannelFormatException("segment.byteSize()=" + segment.byteSize() + " < header=" + HEADER_LENGTH);
        }
        long magic = (long) LONG.getAcquire(segment, (long) MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ChannelFormatException("magic=0x" + Long.toHexString(magic) + " != 0x" + Long.toHexString(MAGIC)
                    + " (not a jipc channel, or not created yet)");
        }
        int version = segment.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new ChannelFormatException("layout version=" + version + " != supported=" + LAYOUT_VERSION);
        }
        int headerLength = segment.get(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH) {
            throw new ChannelFormatException("header length=" + headerLength + " != " + HEADER_LENGTH);
        }
        long capacity = segment.get(ValueLayout.JAVA_LONG, CAPACITY_OFFSET);
        if (capacity < ChannelDescriptor.MIN_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new ChannelFormatException("capacity=" + capacity + " is not a power of two >= "
                    + ChannelDescriptor.MIN_CAPACITY);
        }
        if (segment.byteSize() < HEADER_LENGTH + capacity) {
            throw new ChannelFormatException("segment.byteSize()=" + segment.byteSize() + " < header + capacity="
                    + (HEADER_LENGTH + capacity));
        }
        int maxMessageLength = segment.get(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET);
        int limit = ChannelDescriptor.defaultMaxMessageLength(capacity);
        if (maxMessageLength < 1 || maxMessageLength > limit) {
            throw new ChannelFormatException("maxMessageLength=" + maxMessageLength + " not in [1, " + limit + "]");
        }
        return new OneToOneChannel(segment, capacity, maxMessageLength);
    }

    /** The ring's size in bytes. */
    public long capacity() {
        return capacity;
    }

    /** The largest payload {@link #offer} and {@link #tryClaim} accept. */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** Bytes ever committed by the producer (acquire load). */
    public long tailPosition() {
        return (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
    }

    /** Bytes ever consumed (acquire load). */
    public long headPosition() {
        return (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
    }

    /** Ring bytes in use now: committed and not yet consumed (a snapshot). */
    public long size() {
        long head = headPosition();
        long tail = tailPosition();
        return Math.max(0, Math.min(capacity, tail - head));
    }

    // ---- producer ----------------------------------------------------------------------------------------------

    /**
     * Copies one message into the ring.
     *
     * @param type    the message type, {@code >= 1}
     * @param payload the bytes to send, at most {@link #maxMessageLength()}
     * @return {@code false} if the ring has no room now (nothing was written)
     */
    public boolean offer(int type, MemorySegment payload) {
        MemorySegment slot = tryClaim(type, checkedLength(payload.byteSize()));
        if (slot == null) {
            return false;
        }
        MemorySegment.copy(payload, 0, slot, 0, payload.byteSize());
        commit();
        return true;
    }

    /** Copies {@code length} bytes of {@code payload} from {@code offset}; see {@link #offer(int, MemorySegment)}. */
    public boolean offer(int type, byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, payload.length);
        return offer(type, MemorySegment.ofArray(payload).asSlice(offset, length));
    }

    /** Copies the buffer's remaining bytes and advances its position if sent; see {@link #offer(int, MemorySegment)}. */
    public boolean offer(int type, ByteBuffer payload) {
        boolean sent = offer(type, MemorySegment.ofBuffer(payload));
        if (sent) {
            payload.position(payload.limit());
        }
        return sent;
    }

    /**
     * Reserves room for one message of {@code length} bytes and returns the writable slice of the ring where its
     * payload goes (zero-copy). Nothing is visible to the consumer until {@link #commit()}; {@link #abort()} gives
     * the room back. One claim at a time.
     *
     * @return the payload slice, or {@code null} if the ring has no room now
     * @throws IllegalStateException if a claim is already open
     */
    public MemorySegment tryClaim(int type, int length) {
        if (type < 1) {
            throw new IllegalArgumentException("type=" + type + " < 1");
        }
        checkedLength(length);
        if (claimTail >= 0) {
            throw new IllegalStateException("a claim is already open at position " + claimTail + ": commit or abort it");
        }
        long tail = (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
        long space = RecordDescriptor.recordSpace(length);
        long index = tail & mask;
        long toEnd = capacity - index;
        long padding = space > toEnd ? toEnd : 0;
        long required = padding + space;
        if (required > capacity - (tail - headCache)) {
            headCache = (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
            if (required > capacity - (tail - headCache)) {
                return null;
            }
        }
        claimTail = tail;
        claimIndex = padding == 0 ? index : 0;
        claimPadding = padding;
        claimSpace = required;
        claimLength = length;
        claimType = type;
        return ring.asSlice(claimIndex + RecordDescriptor.HEADER_LENGTH, length);
    }

    /**
     * Publishes the claimed message. The record's length is released before the padding in front of it (when the
     * message wrapped), so a consumer that reads the padding always finds the record complete behind it; and the
     * tail moves last. A producer that dies before this call leaves nothing visible.
     */
    public void commit() {
        long tail = requireClaim();
        ring.set(ValueLayout.JAVA_INT, claimIndex + TYPE_OFFSET, claimType);
        INT.setRelease(ring, claimIndex + LENGTH_OFFSET, RecordDescriptor.HEADER_LENGTH + claimLength);
        if (claimPadding != 0) {
            long paddingIndex = tail & mask;
            ring.set(ValueLayout.JAVA_INT, paddingIndex + TYPE_OFFSET, PADDING_TYPE);
            INT.setRelease(ring, paddingIndex + LENGTH_OFFSET, (int) claimPadding);
        }
        LONG.setRelease(segment, (long) TAIL_OFFSET, tail + claimSpace);
        claimTail = -1;
    }

    /** Gives the claimed room back unpublished (the payload bytes written so far are ignored). */
    public void abort() {
        requireClaim();
        claimTail = -1;
    }

    private long requireClaim() {
        if (claimTail < 0) {
            throw new IllegalStateException("no open claim: call tryClaim first");
        }
        return claimTail;
    }

    private int checkedLength(long length) {
        if (length < 0 || length > maxMessageLength) {
            throw new IllegalArgumentException("length=" + length + " not in [0, maxMessageLength="
                    + maxMessageLength + "]");
        }
        return (int) length;
    }

    // ---- consumer ----------------------------------------------------------------------------------------------

    /** Hands every message available now to {@code handler}; returns how many. */
    public int poll(MessageHandler handler) {
        return poll(handler, Integer.MAX_VALUE);
    }

    /**
     * Hands at most {@code limit} messages to {@code handler}, in order, without copying them, then gives their room
     * back to the producer in one release store of the head.
     *
     * @return the number of messages handled (padding records are not counted)
     */
    public int poll(MessageHandler handler, int limit) {
        long head = (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
        long consumed = 0;
        int messages = 0;
        try {
            while (messages < limit && consumed < capacity) {
                long index = (head + consumed) & mask;
                int length = (int) INT.getAcquire(ring, index + LENGTH_OFFSET);
                if (length == 0) {
                    break;
                }
                long space = RecordDescriptor.align(length);
                if (length < RecordDescriptor.HEADER_LENGTH || space > capacity - index) {
                    throw new IllegalStateException("corrupt record at position " + (head + consumed) + ": length="
                            + length + " not in [" + RecordDescriptor.HEADER_LENGTH + ", " + (capacity - index) + "]");
                }
                int type = ring.get(ValueLayout.JAVA_INT, index + TYPE_OFFSET);
                consumed += space;
                try {
                    if (type != PADDING_TYPE) {
                        messages++;
                        handler.onMessage(type, ring.asSlice(index + RecordDescriptor.HEADER_LENGTH,
                                length - RecordDescriptor.HEADER_LENGTH).asReadOnly());
                    }
                } finally {
                    // Zero the record before the head moves past it (even if the handler threw): the producer relies
                    // on "length == 0" meaning "not written yet" when it reuses this room.
                    ring.asSlice(index, space).fill((byte) 0);
                }
            }
        } finally {
            if (consumed > 0) {
                LONG.setRelease(segment, (long) HEAD_OFFSET, head + consumed);
            }
        }
        return messages;
    }

    @Override
    public String toString() {
        return "OneToOneChannel[capacity=" + capacity + ", head=" + headPosition() + ", tail=" + tailPosition() + "]";
    }
}
