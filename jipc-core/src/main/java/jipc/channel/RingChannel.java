package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

import java.io.IOException;
import java.io.UncheckedIOException;

import jipc.internal.Futex;
import jipc.internal.Jfr;
import jipc.internal.FutexWaiters;
import jipc.internal.Memory;
import jipc.live.Liveness;
import jipc.live.LivenessToken;
import jipc.live.Party;
import jipc.live.PartyState;
import jipc.live.Role;

import static jipc.channel.ChannelDescriptor.CAPACITY_OFFSET;
import static jipc.channel.ChannelDescriptor.CONSUMER_PARTY_OFFSET;
import static jipc.channel.ChannelDescriptor.CONSUMER_PID_NAMESPACE_OFFSET;
import static jipc.channel.ChannelDescriptor.CONSUMER_PID_OFFSET;
import static jipc.channel.ChannelDescriptor.CONSUMER_WAITING_OFFSET;
import static jipc.channel.ChannelDescriptor.CONSUMER_WAKE_OFFSET;
import static jipc.channel.ChannelDescriptor.FLAGS_OFFSET;
import static jipc.channel.ChannelDescriptor.HEADER_LENGTH;
import static jipc.channel.ChannelDescriptor.HEADER_LENGTH_OFFSET;
import static jipc.channel.ChannelDescriptor.HEAD_OFFSET;
import static jipc.channel.ChannelDescriptor.LAYOUT_VERSION;
import static jipc.channel.ChannelDescriptor.MAGIC;
import static jipc.channel.ChannelDescriptor.MAGIC_OFFSET;
import static jipc.channel.ChannelDescriptor.MAX_MESSAGE_LENGTH_OFFSET;
import static jipc.channel.ChannelDescriptor.PENDING_HEAD_OFFSET;
import static jipc.channel.ChannelDescriptor.PRODUCERS_WAITING_OFFSET;
import static jipc.channel.ChannelDescriptor.PRODUCER_WAKE_OFFSET;
import static jipc.channel.ChannelDescriptor.TAIL_OFFSET;
import static jipc.channel.ChannelDescriptor.VERSION_OFFSET;
import static jipc.channel.RecordDescriptor.LENGTH_OFFSET;
import static jipc.channel.RecordDescriptor.PADDING_TYPE;

/**
 * What the one-producer and the many-producer channel share: the header checks, the ring geometry, the consumer
 * (poll, zeroing, head), the wake protocol of both sides, the blocking calls and the consumer's role. A subclass
 * adds its producer ({@link #tryClaim}, {@link #commit}, {@link #abort}) and, for the many-producer channel, what
 * the consumer does at a head whose record is not published yet ({@link #resolveStall}).
 */
abstract sealed class RingChannel permits OneToOneChannel, ManyToOneChannel {
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    static {
        // the hooks jipc.rpc needs for channel images inside its own object, without making them public API
        jipc.internal.ChannelAccess.register(new EmbeddedChannels());
    }
    /** How often a waiting consumer at most re-examines a stalled head (liveness costs system calls). */
    private static final long STALL_CHECK_NANOS = 1_000_000L;
    /**
     * From this many bytes on a payload is copied with libc's {@code memcpy} (here {@code rep movsb}), below it with
     * the JDK's copy (forward 32- and 64-byte vector stores). With the next length word zeroed at claim time, before
     * the copy, the JDK's copy made a 4 KiB spin round trip faster than {@code memcpy}; from 8 KiB on {@code rep
     * movsb} was the faster one (6 Dec 2026, docs/benchmarks.md "The 4 KiB spin round trip").
     */
    static final long NATIVE_COPY_THRESHOLD = 8 * 1024;
    /**
     * Below this many bytes a payload segment is copied into the ring 8 bytes at a time ({@link #copyIn},
     * {@link #copySmall}), not with the JDK's vector copy (which {@code MemorySegment.copy} uses from 64 bytes on).
     * A sender has usually just written the payload, often with narrower stores (a sequence number, a field); a
     * 32-byte load of it cannot be served from those stores in the store buffer and waits until they reach the cache,
     * behind the previous message's stores into ring lines the consumer holds: once per message, 82 % of a 64 B
     * producer's time when both sides work on the same lines. 8-byte loads are served from the stores
     * (docs/benchmarks.md, "Throughput of 64 B messages", batched).
     */
    static final long SMALL_COPY_LIMIT = 128;
    /** From this many bytes on consumed ring bytes are zeroed with libc's {@code memset}. */
    private static final long NATIVE_ZERO_THRESHOLD = 4 * 1024;

    final MemorySegment segment;
    final MemorySegment ring;
    /**
     * {@link #ring} read-only: what {@link MessageHandler}s get slices of (one allocation per message, not two) and
     * {@link RingHandler}s get whole.
     */
    private final MemorySegment readOnlyRing;
    final long capacity;
    final long mask;
    final int maxMessageLength;
    final boolean futexCapable;
    /** Whether this is a {@link ManyToOneChannel}: only then can a zero length below the tail be a stall. */
    private final boolean manyProducers;
    private final MemorySegment consumerWake;
    private final MemorySegment producerWake;
    private final Waitable consumerWaitable = consumerWaitable();
    /** This instance's producer's wait for room, made once (a wait costs no object); see {@link ProducerRoom}. */
    private final ProducerRoom producerRoom = new ProducerRoom();
    /** The JFR view of the consumer's and this instance's producer's blocking waits (nothing without jdk.jfr). */
    private final Jfr.Wait consumerWait = new Jfr.Wait("consumer");
    private final Jfr.Wait producerWait = new Jfr.Wait("producer");
    private WaitStrategy waitStrategy = WaitStrategy.hybrid();
    /** The token whose parties this instance's roles use (the object's access class); made on first need. */
    private LivenessToken token;
    /** Where {@link #token} comes from when first needed, if not the process's standard token. */
    private java.util.function.Supplier<LivenessToken> tokenSource;
    /** What the channel is called in messages, e.g. {@code "channel /orders"}. */
    String label = "the channel";
    /**
     * The size of the object behind the segment now ({@code fstat}), where there is one: checked before the rare
     * compare-and-sets on the header (taking and giving back roles), because HotSpot turns a fault in a plain access
     * of a truncated mapping into an {@link InternalError} but crashes on one in a compare-and-set.
     */
    LongSupplier objectSize;
    /** This instance's party while it holds the consumer role. */
    private Party consumerParty;
    private long nextStallCheck = System.nanoTime();
    /** Producer: a batch is open ({@link #beginBatch()}): commits leave the wake-up check to its end. */
    private boolean batchOpen;
    /** Producer: a message was committed in the batch since the last wake-up check. */
    private boolean batchPending;
    /** When the consumer last looked for dead producers' bits in the producers-waiting set. */
    private long nextWaitingCheck = System.nanoTime();

    /** Producer-local: the last head this instance read. */
    long headCache;

    RingChannel(MemorySegment segment) {
        this.segment = segment;
        this.capacity = segment.get(ValueLayout.JAVA_LONG, CAPACITY_OFFSET);
        // capacity - 1 with the low three bits cleared: for the positions a correct peer writes (multiples of 8)
        // the same index, and a position forged to an odd value still lands on a record boundary, so no access
        // ever straddles the ring's end or breaks the atomics' alignment (at no cost: it is the same AND)
        this.mask = (capacity - 1) & -RecordDescriptor.ALIGNMENT;
        this.maxMessageLength = segment.get(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET);
        this.ring = segment.asSlice(HEADER_LENGTH, capacity);
        this.readOnlyRing = ring.asReadOnly();
        // A futex needs a native address; heap segments (tests of the arithmetic) wait by parking instead.
        this.futexCapable = segment.isNative();
        this.manyProducers = this instanceof ManyToOneChannel;
        this.consumerWake = segment.asSlice(CONSUMER_WAKE_OFFSET, 4);
        this.producerWake = segment.asSlice(PRODUCER_WAKE_OFFSET, 4);
    }

    // ---- header --------------------------------------------------------------------------------------------------

    private static void checkAlignment(MemorySegment segment) {
        if (segment.isNative() && segment.address() % RecordDescriptor.ALIGNMENT != 0) {
            throw new IllegalArgumentException("segment address 0x" + Long.toHexString(segment.address())
                    + " is not " + RecordDescriptor.ALIGNMENT + "-byte aligned");
        }
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException("segment is read-only: both ends of a channel write to it");
        }
    }

    /** Writes a new header with {@code flags} into zeroed {@code segment}; the magic last, with a release store. */
    static void writeHeader(MemorySegment segment, long capacity, int maxMessageLength, int flags,
                            LivenessToken token) {
        Objects.requireNonNull(segment, "segment");
        checkAlignment(segment);
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
        segment.set(ValueLayout.JAVA_INT, FLAGS_OFFSET, flags);
        segment.set(ValueLayout.JAVA_LONG, CAPACITY_OFFSET, capacity);
        segment.set(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength);
        segment.set(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        // Who made it, so that a tool can tell an abandoned channel (every recorded process dead) from one in use.
        segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.CREATOR_PARTY_OFFSET, token.processParty());
        segment.set(ValueLayout.JAVA_INT, ChannelDescriptor.CREATOR_PID_OFFSET, Liveness.selfPid());
        segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.CREATOR_PID_NAMESPACE_OFFSET, Liveness.selfPidNamespace());
        LONG.setRelease(segment, (long) MAGIC_OFFSET, MAGIC);
    }

    /** The header's flags word after checking everything else; writes nothing. */
    static int checkHeader(MemorySegment segment) throws ChannelFormatException {
        Objects.requireNonNull(segment, "segment");
        checkAlignment(segment);
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
        int flags = segment.get(ValueLayout.JAVA_INT, FLAGS_OFFSET);
        if ((flags & ~ChannelDescriptor.FLAG_MANY_PRODUCERS) != 0) {
            throw new ChannelFormatException("flags=0x" + Integer.toHexString(flags) + " has unknown bits");
        }
        return flags;
    }

    /** Whether the channel in {@code segment} was created for several producers (reads the flags word). */
    static boolean isManyProducers(MemorySegment segment) {
        return (segment.get(ValueLayout.JAVA_INT, FLAGS_OFFSET) & ChannelDescriptor.FLAG_MANY_PRODUCERS) != 0;
    }

    // ---- geometry ------------------------------------------------------------------------------------------------

    /**
     * The ring's size in bytes.
     *
     * @return the ring's capacity in bytes: a power of two, at least 1024, fixed at creation
     */
    public long capacity() {
        return capacity;
    }

    /**
     * The largest payload {@link #offer} and {@link #tryClaim} accept.
     *
     * @return the largest payload in bytes
     */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /**
     * The tail: bytes ever published (one producer) or claimed (many producers); an acquire load.
     *
     * @return the tail position in bytes since creation
     */
    public long tailPosition() {
        return (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
    }

    /**
     * Bytes ever consumed (acquire load).
     *
     * @return the head position in bytes since creation
     */
    public long headPosition() {
        return (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
    }

    /**
     * Ring bytes in use now: between head and tail (a snapshot).
     *
     * @return tail minus head in bytes, from two loads that other processes may move in between
     */
    public long size() {
        long head = headPosition();
        long tail = tailPosition();
        return Math.max(0, Math.min(capacity, tail - head));
    }

    /** The ring bytes a record of {@code space} bytes takes at {@code tail}: with the padding to the wrap if needed. */
    final long required(long tail, long space) {
        long toEnd = capacity - (tail & mask);
        return space > toEnd ? toEnd + space : space;
    }

    /**
     * Whether {@code required} bytes are free at {@code tail}; reads the consumer's head only when the cache says no.
     * With one producer, 8 more bytes must be free: the length word after the record, which the producer zeroes
     * before publishing it because the consumer does not zero what it consumed (see {@link ChannelDescriptor}).
     */
    final boolean hasRoom(long tail, long required) {
        long needed = manyProducers ? required : required + RecordDescriptor.HEADER_LENGTH;
        if (needed > capacity - (tail - headCache)) {
            headCache = (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
            return needed <= capacity - (tail - headCache);
        }
        return true;
    }

    final int checkedLength(long length) {
        if (length < 0 || length > maxMessageLength) {
            throw new IllegalArgumentException("length=" + length + " not in [0, maxMessageLength="
                    + maxMessageLength + "]");
        }
        return (int) length;
    }

    /** Throws for a claim no producer may make: a bad type or length, or a claim already open at {@code openAt}. */
    final void checkClaim(int type, int length, boolean open, long openAt) {
        checkType(type);
        checkedLength(length);
        if (open) {
            throw new IllegalStateException("a claim is already open at position " + openAt + ": commit or abort it");
        }
    }

    static void checkType(int type) {
        if (type < 1) {
            throw new IllegalArgumentException("type=" + type + " < 1");
        }
    }

    // ---- producer ------------------------------------------------------------------------------------------------

    /**
     * Reserves room for one message of {@code length} bytes and returns the writable slice of the ring where its
     * payload goes (zero-copy). Nothing is visible to the consumer until {@link #commit()}; {@link #abort()} gives
     * the room up. One claim at a time per instance.
     *
     * @param type the message type, {@code >= 1}
     * @param length the payload length in bytes, from 0 to {@link #maxMessageLength()}
     * @return the payload slice, or {@code null} if the ring has no room now
     * @throws IllegalStateException if a claim is already open
     */
    public MemorySegment tryClaim(int type, int length) {
        long index = claimIndex(type, length);
        return index < 0 ? null : ring.asSlice(index, length);
    }

    /**
     * {@link #tryClaim}'s work without the slice: claims room for a message of {@code length} bytes and returns the
     * ring index of its payload, or {@code -1} if there is no room now. The copying calls use it, so a message
     * costs no slice allocation.
     */
    abstract long claimIndex(int type, int length);

    /** Publishes the claimed message and wakes the consumer if (and only if) it sleeps. */
    public abstract void commit();

    /** Gives up the claimed message unpublished (the payload bytes written so far are never read). */
    public abstract void abort();

    /**
     * Copies one message into the ring.
     *
     * @param type    the message type, {@code >= 1}
     * @param payload the bytes to send, at most {@link #maxMessageLength()}
     * @return {@code false} if the ring has no room now (nothing was written)
     */
    public boolean offer(int type, MemorySegment payload) {
        Objects.requireNonNull(payload, "payload");
        long length = payload.byteSize();
        long index = claimIndex(type, checkedLength(length));
        if (index < 0) {
            return false;
        }
        copyIn(payload, index, length);
        commit();
        return true;
    }

    /**
     * Copies {@code length} bytes of {@code payload} from {@code offset}; see {@link #offer(int, MemorySegment)}.
     *
     * @param type the message type, {@code >= 1}
     * @param payload the array holding the message
     * @param offset where the message starts in {@code payload}
     * @param length the message length in bytes, at most {@link #maxMessageLength()}
     * @return {@code true} if the message is in the ring, {@code false} if the ring has no room now
     */
    public boolean offer(int type, byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(payload, "payload").length);
        if (length >= NATIVE_COPY_THRESHOLD) {
            return offer(type, MemorySegment.ofArray(payload).asSlice(offset, length));
        }
        long index = claimIndex(type, checkedLength(length));
        if (index < 0) {
            return false;
        }
        MemorySegment.copy(payload, offset, ring, ValueLayout.JAVA_BYTE, index, length);
        commit();
        return true;
    }

    /**
     * Copies the payload into the claimed ring bytes at {@code index}: 8 bytes at a time below
     * {@link #SMALL_COPY_LIMIT}, libc's {@code memcpy} from {@link #NATIVE_COPY_THRESHOLD}, the JDK's copy between.
     */
    final void copyIn(MemorySegment payload, long index, long length) {
        if (length < SMALL_COPY_LIMIT) {
            copySmall(payload, 0, ring, index, length);
        } else if (length >= NATIVE_COPY_THRESHOLD) {
            Memory.copyInto(payload, ring, index, length);
        } else {
            MemorySegment.copy(payload, 0, ring, index, length);
        }
    }

    /**
     * Copies {@code length < SMALL_COPY_LIMIT} bytes forward with checked 8-byte accesses (a closed segment throws,
     * as with {@code MemorySegment.copy}), then the last few bytes one by one; see {@link #SMALL_COPY_LIMIT} for why
     * not {@code MemorySegment.copy}. Forward, like a memcpy: the claimed ring bytes overlap no segment a caller may
     * still use (a slice a handler got is valid only during its call).
     */
    static void copySmall(MemorySegment from, long fromOffset, MemorySegment to, long toOffset, long length) {
        long i = 0;
        for (; i <= length - Long.BYTES; i += Long.BYTES) {
            long word = from.get(ValueLayout.JAVA_LONG_UNALIGNED, fromOffset + i);
            to.set(ValueLayout.JAVA_LONG_UNALIGNED, toOffset + i, word);
        }
        for (; i < length; i++) {
            to.set(ValueLayout.JAVA_BYTE, toOffset + i, from.get(ValueLayout.JAVA_BYTE, fromOffset + i));
        }
    }

    /**
     * Copies the buffer's remaining bytes and advances its position if sent; see {@link #offer(int, MemorySegment)}.
     *
     * @param type the message type, {@code >= 1}
     * @param payload the buffer whose remaining bytes are the message (heap or direct)
     * @return {@code true} if the message is in the ring, {@code false} (buffer untouched) if the ring has no room now
     */
    public boolean offer(int type, ByteBuffer payload) {
        Objects.requireNonNull(payload, "payload");
        boolean sent = offer(type, MemorySegment.ofBuffer(payload));
        if (sent) {
            payload.position(payload.limit());
        }
        return sent;
    }

    /**
     * {@link #tryClaim} that waits up to {@code timeout} for room: with a futex-based strategy a producer on a full
     * ring sleeps until the consumer frees room (the consumer then makes one {@code FUTEX_WAKE}).
     *
     * @param timeout how long to wait for room; {@code null} waits as long as it takes
     * @param length the payload length in bytes, from 0 to {@link #maxMessageLength()}
     * @param type the message type, {@code >= 1}
     * @return the payload slice, or {@code null} if no room came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public MemorySegment claim(int type, int length, Duration timeout) throws InterruptedException {
        long index = claimIndex(type, length, timeout);
        return index < 0 ? null : ring.asSlice(index, length);
    }

    /** {@link #claim}'s work without the slice; {@code -1} if no room came in time. */
    private long claimIndex(int type, int length, Duration timeout) throws InterruptedException {
        long timeoutNanos = WaitStrategy.timeoutNanos(timeout);
        long index = claimIndex(type, length);
        if (index >= 0 || timeoutNanos == 0) {
            return index;
        }
        // The clock only now that the call waits: a message that fits at once costs no clock read.
        long deadline = timeoutNanos == WaitStrategy.FOREVER ? WaitStrategy.FOREVER : System.nanoTime() + timeoutNanos;
        try {
            index = awaitAndClaim(type, length, deadline);
            return index;
        } finally {
            producerWait.end(label, index >= 0); // a jipc.ChannelWait if the wait slept
        }
    }

    private long awaitAndClaim(int type, int length, long deadline) throws InterruptedException {
        flushWake(); // a consumer asleep on a batch's messages must be woken before this producer sleeps on it
        ProducerRoom room = producerRoom;
        room.space = RecordDescriptor.recordSpace(length);
        for (;;) {
            long left = deadline == WaitStrategy.FOREVER ? WaitStrategy.FOREVER : deadline - System.nanoTime();
            if (left <= 0 || !waitStrategy.await(room, left)) {
                return claimIndex(type, length);
            }
            long index = claimIndex(type, length);
            if (index >= 0) {
                return index;
            }
        }
    }

    /**
     * Copies one message into the ring, waiting up to {@code timeout} for room: the {@code offer(e, timeout)} of
     * this channel ({@code timeout == null} waits as long as it takes, like {@code put}).
     *
     * @param timeout how long to wait for room; {@code null} waits as long as it takes
     * @param payload the bytes to copy, at most {@link #maxMessageLength()} of them
     * @param type the message type, {@code >= 1}
     * @return whether the message was sent; {@code false} if no room came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public boolean put(int type, MemorySegment payload, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(payload, "payload");
        long length = payload.byteSize();
        long index = claimIndex(type, checkedLength(length), timeout);
        if (index < 0) {
            return false;
        }
        copyIn(payload, index, length);
        commit();
        return true;
    }

    /**
     * {@link #put(int, MemorySegment, Duration)} for {@code length} bytes of an array from {@code offset}.
     *
     * @param type the message type, {@code >= 1}
     * @param payload the array holding the message
     * @param offset where the message starts in {@code payload}
     * @param length the message length in bytes, at most {@link #maxMessageLength()}
     * @param timeout how long to wait for room; {@code null} waits as long as it takes
     * @return {@code true} if the message is in the ring, {@code false} if no room came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public boolean put(int type, byte[] payload, int offset, int length, Duration timeout)
            throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(payload, "payload").length);
        return put(type, MemorySegment.ofArray(payload).asSlice(offset, length), timeout);
    }

    /**
     * The producer's half of the wake protocol. The full fence orders the release stores of the commit before the
     * load of the waiting flag (a release store alone may pass a later load): either the consumer, which sets the flag
     * and fences before it re-checks the length word, sees the record, or this load sees the flag. Only the producer
     * that clears the flag wakes, so a burst of commits (from any number of producers) makes one system call.
     */
    /** After a commit: the producer's half of the wake protocol now, or at the end of the open batch. */
    final void wakeConsumerAfterCommit() {
        if (batchOpen) {
            batchPending = true;
        } else {
            wakeConsumerIfSleeping();
        }
    }

    /**
     * Starts a batch: the messages this producer commits until {@link #endBatch()} are published one by one as usual
     * (a consumer that polls or spins reads each at once), but the check whether the consumer sleeps (a full fence
     * and a load, the producer's half of the wake protocol) runs once, at {@code endBatch()}, instead of after every
     * message. Meant for bursts of small messages, where a fence per message is a noticeable part of the cost.
     * A consumer asleep during the batch wakes at {@code endBatch()}; if that never comes it still wakes at the end of
     * its wait slice (at most 100 ms later). A blocking claim or put inside a batch makes the check before it waits
     * for room, so a full ring never waits on a consumer that nobody woke. Idempotent while a batch is open.
     *
     * <pre>{@code
     * channel.beginBatch();
     * try {
     *     for (MemorySegment m : burst) {
     *         channel.put(1, m, null);
     *     }
     * } finally {
     *     channel.endBatch();
     * }
     * }</pre>
     */
    public void beginBatch() {
        batchOpen = true;
    }

    /**
     * Ends the batch {@link #beginBatch()} started: if a message was committed since the last check, makes the
     * producer's half of the wake protocol once (one full fence; one {@code FUTEX_WAKE} only if the consumer sleeps).
     * Does nothing without an open batch.
     */
    public void endBatch() {
        batchOpen = false;
        flushWake();
    }

    /** The wake-up check a batch deferred, if any: before waiting for room, at the batch's end, on detaching. */
    final void flushWake() {
        if (batchPending) {
            batchPending = false;
            wakeConsumerIfSleeping();
        }
    }

    final void wakeConsumerIfSleeping() {
        VarHandle.fullFence();
        if ((int) INT.getVolatile(segment, (long) CONSUMER_WAITING_OFFSET) != 0
                && (boolean) INT.compareAndSet(segment, (long) CONSUMER_WAITING_OFFSET, 1, 0)) {
            int unused = (int) INT.getAndAdd(segment, (long) CONSUMER_WAKE_OFFSET, 1);
            if (futexCapable) {
                Futex.wake(consumerWake, 1);
            }
        }
    }

    // ---- consumer ------------------------------------------------------------------------------------------------

    /**
     * Hands every message available now to {@code handler}; returns how many.
     *
     * @param handler called once per message, in order, with a read-only slice of the ring valid only during the call
     * @return the number of messages handled, {@code 0} if none was there
     */
    public int poll(MessageHandler handler) {
        return poll(handler, Integer.MAX_VALUE);
    }

    /**
     * Hands at most {@code limit} messages to {@code handler}, in order, without copying them, then gives their room
     * back to the producers: the new head into the pending head, the consumed bytes zeroed (many producers only), the
     * head published with one release store. A message whose handler throws counts as consumed.
     *
     * @param limit the most messages to hand over
     * @param handler called once per message, in order, with a read-only slice of the ring valid only during the call
     * @return the number of messages handled (padding records are not counted)
     * @throws IllegalArgumentException if {@code limit < 1}
     * @throws ChannelCorruptedException if the record at the head has an impossible length or type (written by a
     *         broken or hostile process, see {@code docs/channel-format.md}); the messages before it are given back
     */
    public int poll(MessageHandler handler, int limit) {
        checkPollArguments(handler, limit);
        return consume(handler, null, limit);
    }

    /**
     * {@link #poll(MessageHandler, int)} with a {@link RingHandler}: each message as its offset and length in the
     * read-only ring (the same segment every time), so a message costs no object whatever the compiler inlines.
     *
     * @param handler called once per message, in order, with the ring and the payload's place in it, valid only
     *                during the call
     * @param limit the most messages to hand over
     * @return the number of messages handled (padding records are not counted)
     * @throws IllegalArgumentException if {@code limit < 1}
     * @throws ChannelCorruptedException if the record at the head has an impossible length or type (see
     *         {@link #poll(MessageHandler, int)})
     */
    public int pollRing(RingHandler handler, int limit) {
        checkPollArguments(handler, limit);
        return consume(null, handler, limit);
    }

    /**
     * The consumer's loop for either kind of handler: exactly one of {@code views} (a slice per message) and
     * {@code places} (the ring, an offset and a length) is not null.
     */
    private int consume(MessageHandler views, RingHandler places, int limit) {
        if (consumerParty == null) {
            takeConsumerRole();
        }
        long head = (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
        long consumed = 0;
        int messages = 0;
        try {
            while (messages < limit && consumed < capacity) {
                long index = (head + consumed) & mask;
                // length and type in one load: the many-producer channel publishes them in one store
                long header = (long) LONG.getAcquire(ring, index + LENGTH_OFFSET);
                int length = RecordDescriptor.headerLength(header);
                if (length <= 0) {
                    // Not published (yet): for one producer the end of what there is; for many, perhaps a claim
                    // of a dead producer, which resolveStall turns into padding.
                    if (!resolveStall(head + consumed, length)) {
                        break;
                    }
                    header = (long) LONG.getAcquire(ring, index + LENGTH_OFFSET);
                    length = RecordDescriptor.headerLength(header);
                }
                long space = RecordDescriptor.align(length);
                if (length < RecordDescriptor.HEADER_LENGTH || space > capacity - index) {
                    throw new ChannelCorruptedException(ChannelCorruptedException.RECORD_LENGTH, head + consumed,
                            length, "not in [" + RecordDescriptor.HEADER_LENGTH + ", " + (capacity - index) + "]");
                }
                int type = RecordDescriptor.headerType(header);
                consumed += space;
                if (type > 0) {
                    messages++;
                    deliver(views, places, type, index + RecordDescriptor.HEADER_LENGTH,
                            length - RecordDescriptor.HEADER_LENGTH);
                } else if (type != PADDING_TYPE) {
                    consumed -= space; // not handed out: not given back
                    throw new ChannelCorruptedException(ChannelCorruptedException.RECORD_TYPE, head + consumed,
                            type, "neither a message type (>= 1) nor padding (-1)");
                }
            }
        } finally {
            if (consumed > 0) {
                giveBack(head, head + consumed);
            }
        }
        return messages;
    }

    /**
     * Hands one message to the handler there is. A method of its own so that {@link #consume} stays small enough for
     * the JIT compiler to inline into its callers (under {@code -XX:FreqInlineSize}, 325 bytecodes), as the poll loop
     * was before it served two kinds of handler.
     */
    private void deliver(MessageHandler views, RingHandler places, int type, long payload, int length) {
        if (places != null) {
            places.onMessage(type, readOnlyRing, payload, length);
        } else {
            views.onMessage(type, readOnlyRing.asSlice(payload, length));
        }
    }

    /**
     * Gives the consumed bytes {@code [head, newHead)} back to the producers. The pending head goes first so that a
     * successor of a consumer killed while giving back knows how far to finish
     * ({@link #finishInterruptedGiveBack}); the store-store fence keeps the zeroing after it (a crash leaves stores
     * in program order).
     */
    private void giveBack(long head, long newHead) {
        LONG.setOpaque(segment, (long) PENDING_HEAD_OFFSET, newHead);
        VarHandle.storeStoreFence();
        if (manyProducers) {
            // Only many producers need consumed bytes zeroed: any 8-byte word may become a record header whose zero
            // means "claimed, not written yet". One producer zeroes just the length word after its own record.
            zero(head, newHead - head);
        }
        LONG.setRelease(segment, (long) HEAD_OFFSET, newHead);
        wakeProducersIfSleeping();
    }

    /** Zeroes {@code length <= capacity} ring bytes from {@code position} on, in two pieces if they wrap. */
    private void zero(long position, long length) {
        long index = position & mask;
        long first = Math.min(length, capacity - index);
        zeroRing(index, first);
        if (first < length) {
            zeroRing(0, length - first);
        }
    }

    /**
     * One fill, without a slice of the ring (an allocation per give-back wherever the compiler kept it): small ones
     * copied from {@link #ZEROS} by the JDK, large ones with libc's {@code memset} (about 1.6x faster at 64 KiB).
     */
    private void zeroRing(long index, long length) {
        if (length >= NATIVE_ZERO_THRESHOLD) {
            Memory.zeroInto(ring, index, length);
        } else {
            MemorySegment.copy(ZEROS, 0, ring, index, length);
        }
    }

    /** {@link #NATIVE_ZERO_THRESHOLD} zero bytes, read-only: the source of the small fills. */
    private static final MemorySegment ZEROS =
            MemorySegment.ofArray(new byte[(int) NATIVE_ZERO_THRESHOLD]).asReadOnly();

    /**
     * Run by a consumer taking over, when no other consumer lives: if the last one was killed while giving room
     * back (pending head ahead of the head), finishes its zeroing (many producers) and publishes the pending head.
     * Producers rely on it: they never write beyond the published head.
     *
     * @throws ChannelCorruptedException if the pending head is impossible (beyond the tail, more than a ring
     *         ahead): the segment is corrupt
     */
    final void finishInterruptedGiveBack() {
        long head = (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
        long pending = (long) LONG.getAcquire(segment, (long) PENDING_HEAD_OFFSET);
        if (pending <= head) {
            return; // no give-back was interrupted (or the head was published by a consumer that keeps no mark)
        }
        long tail = (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
        // pending - head may overflow for forged positions: a negative distance is as impossible as a too large one
        long distance = pending - head;
        if (distance < 0 || distance > capacity || pending > tail) {
            throw new ChannelCorruptedException(ChannelCorruptedException.PENDING_HEAD, head, pending,
                    "not in (head " + head + ", min(tail " + tail + ", head + capacity " + capacity + ")]");
        }
        giveBack(head, pending);
        Jfr.recovery("the consumer of " + label, "a dead consumer's interrupted give-back finished (head " + head
                + " to " + pending + ")", "the previous consumer", 0);
    }

    /**
     * Called by the consumer at {@code position}, where it read the length word {@code length <= 0}. Returns whether
     * a published record (possibly padding the consumer itself wrote) is now there. The one-producer channel stops at
     * a zero length and reports a negative one as corruption.
     */
    boolean resolveStall(long position, int length) {
        if (length < 0) {
            throw new ChannelCorruptedException(ChannelCorruptedException.RECORD_LENGTH, position, length,
                    "negative, but a one-producer channel has no claims");
        }
        return false;
    }

    /**
     * The consumer's half of the producers' wake protocol, the mirror of {@link #wakeConsumerIfSleeping()}: fence
     * after the head's release store, then wake only if the producers-waiting count is non-zero.
     */
    private void wakeProducersIfSleeping() {
        VarHandle.fullFence();
        long waiting = (long) LONG.getVolatile(segment, (long) PRODUCERS_WAITING_OFFSET);
        if (waiting != 0) {
            int unused = (int) INT.getAndAdd(segment, (long) PRODUCER_WAKE_OFFSET, 1);
            int woken = futexCapable ? Futex.wake(producerWake, Integer.MAX_VALUE) : 1;
            if (woken == 0) {
                // Nobody slept: producers between announcing and sleeping, or bits that dead producers left.
                // Look for the dead at most every 100 ms: a verdict costs system calls.
                long now = System.nanoTime();
                if (now - nextWaitingCheck >= 0) {
                    nextWaitingCheck = now + WAITING_CHECK_NANOS;
                    // Only the bits still set now: a live producer that announced and then found room (the usual
                    // reason a wake woke nobody) has cleared its bit by now, and judging it would cost a verdict
                    // (system calls and about 1.3 KB of garbage) for nothing.
                    long still = waiting & (long) LONG.getVolatile(segment, (long) PRODUCERS_WAITING_OFFSET);
                    if (still != 0) {
                        clearDeadWaiters(still);
                    }
                }
            }
        }
    }

    /** How often at most a consumer whose wake-ups woke nobody looks for dead producers' waiting bits. */
    private static final long WAITING_CHECK_NANOS = 100_000_000L;

    /**
     * Clears the bits of {@code waiting} whose producer is certainly dead (or gone from its slot), so that a producer
     * killed asleep on a full ring does not cost every later give-back a {@code FUTEX_WAKE}.
     */
    abstract void clearDeadWaiters(long waiting);

    /** Clears {@code bit} in the producers-waiting set (an atomic AND). */
    final void clearWaitingBit(long bit) {
        long unused = (long) LONG.getAndBitwiseAnd(segment, (long) PRODUCERS_WAITING_OFFSET, ~bit);
    }

    /** The bit this instance's producer sets in the producers-waiting set while it waits for room. */
    abstract long waitingBit();

    /**
     * Whether a record (a message or padding) is published at the head: two loads.
     *
     * @return {@code true} if a record is there to poll
     */
    public boolean hasMessage() {
        long head = (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
        return (int) INT.getAcquire(ring, (head & mask) + LENGTH_OFFSET) > 0;
    }

    /**
     * {@link #hasMessage()}, or, when the head is stalled (a claim not published) and the last look is at least
     * {@link #STALL_CHECK_NANOS} ago, whether {@link #resolveStall} could turn it into padding: a waiting consumer
     * thereby notices a dead producer within a sleep slice, without paying liveness checks on every spin.
     */
    private boolean consumerReady() {
        long head = (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
        int length = (int) INT.getAcquire(ring, (head & mask) + LENGTH_OFFSET);
        if (length > 0) {
            return true;
        }
        // One producer: a zero length is simply "nothing yet". A spinning waiter then reads neither the clock nor
        // the tail (whose cache line the producer writes on every commit).
        if (length == 0 && !manyProducers) {
            return false;
        }
        if (length < 0 || tailPosition() > head) {
            long now = System.nanoTime();
            if (now - nextStallCheck >= 0) {
                nextStallCheck = now + STALL_CHECK_NANOS;
                return resolveStall(head, length);
            }
        }
        return false;
    }

    // ---- blocking calls ------------------------------------------------------------------------------------------

    /**
     * The strategy this instance's blocking calls wait with.
     *
     * @return this instance's wait strategy ({@link WaitStrategy#hybrid()} unless changed)
     */
    public WaitStrategy waitStrategy() {
        return waitStrategy;
    }

    final void setWaitStrategy(WaitStrategy strategy) {
        this.waitStrategy = Objects.requireNonNull(strategy, "strategy");
    }

    /**
     * Hands at most {@code limit} messages to {@code handler}, waiting up to {@code timeout} for the first one to
     * arrive: the {@code BlockingQueue.poll(timeout)} of this channel. Costs what the wait strategy costs; with a
     * futex-based one an idle consumer uses no CPU.
     *
     * @param timeout how long to wait for the first message; {@code null} waits as long as it takes
     * @param limit the most messages to hand over
     * @param handler called once per message, in order, with a read-only slice of the ring valid only during the call
     * @return the number of messages handled; {@code 0} if none arrived in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public int poll(MessageHandler handler, int limit, Duration timeout) throws InterruptedException {
        checkPollArguments(handler, limit);
        return pollWaiting(handler, null, limit, timeout);
    }

    /**
     * {@link #poll(MessageHandler, int, Duration)} with a {@link RingHandler}: each message as its offset and length
     * in the read-only ring, no object per message.
     *
     * @param handler called once per message, in order, with the ring and the payload's place in it, valid only
     *                during the call
     * @param limit the most messages to hand over
     * @param timeout how long to wait for the first message; {@code null} waits as long as it takes
     * @return the number of messages handled; {@code 0} if none arrived in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public int pollRing(RingHandler handler, int limit, Duration timeout) throws InterruptedException {
        checkPollArguments(handler, limit);
        return pollWaiting(null, handler, limit, timeout);
    }

    /** The blocking poll for either kind of handler (exactly one of {@code views}, {@code places} is not null). */
    private int pollWaiting(MessageHandler views, RingHandler places, int limit, Duration timeout)
            throws InterruptedException {
        long timeoutNanos = WaitStrategy.timeoutNanos(timeout);
        int n = consume(views, places, limit);
        if (n > 0 || timeoutNanos == 0) {
            return n;
        }
        // The clock only now that the call waits: a message already there costs no clock read.
        long deadline = timeoutNanos == WaitStrategy.FOREVER ? WaitStrategy.FOREVER : System.nanoTime() + timeoutNanos;
        try {
            n = awaitAndPoll(views, places, limit, deadline);
            return n;
        } finally {
            consumerWait.end(label, n > 0); // a jipc.ChannelWait if the wait slept
        }
    }

    private int awaitAndPoll(MessageHandler views, RingHandler places, int limit, long deadline)
            throws InterruptedException {
        for (;;) {
            long left = deadline == WaitStrategy.FOREVER ? WaitStrategy.FOREVER : deadline - System.nanoTime();
            if (left <= 0 || !waitStrategy.await(consumerWaitable, left)) {
                return consume(views, places, limit);
            }
            int n = consume(views, places, limit);
            if (n > 0) {
                return n;
            }
        }
    }

    /**
     * {@link #poll(MessageHandler, int, Duration)} for every message available once the first arrived.
     *
     * @param handler called once per message, in order, with a read-only slice of the ring valid only during the call
     * @param timeout how long to wait for the first message; {@code null} waits as long as it takes
     * @return the number of messages handled, {@code 0} if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public int poll(MessageHandler handler, Duration timeout) throws InterruptedException {
        return poll(handler, Integer.MAX_VALUE, timeout);
    }

    /**
     * Waits for one message as long as it takes and hands it to {@code handler}: the {@code take()} of this channel.
     *
     * @param handler called once with the message and a read-only slice of the ring valid only during the call
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public void take(MessageHandler handler) throws InterruptedException {
        while (poll(handler, 1, null) == 0) {
            // only padding was consumed; wait again
        }
    }

    private static void checkPollArguments(Object handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        if (limit < 1) {
            throw new IllegalArgumentException("limit=" + limit + " < 1");
        }
    }

    /** The consumer's wait: for a published record at the head (or a stalled head it can resolve). */
    private Waitable consumerWaitable() {
        return new Waitable() {
            @Override
            public boolean isReady() {
                return consumerReady();
            }

            @Override
            public boolean sleep(long maxNanos) {
                if (!futexCapable) {
                    LockSupport.parkNanos(Math.min(maxNanos, 1_000_000L));
                    return consumerReady();
                }
                // Read the wake word before announcing: a producer that increments it after our re-check below
                // makes FUTEX_WAIT return at once (EAGAIN) instead of sleeping through its wake-up.
                int seen = (int) INT.getVolatile(segment, (long) CONSUMER_WAKE_OFFSET);
                INT.setVolatile(segment, (long) CONSUMER_WAITING_OFFSET, 1);
                VarHandle.fullFence();
                try {
                    if (hasMessage()) {
                        return true;
                    }
                    consumerWait.sleeping();
                    // A dead producer wakes nobody: the slice's end is when a stalled head is looked at again.
                    FutexWaiters.await(consumerWake, seen, maxNanos); // a virtual thread parks
                    return consumerReady();
                } finally {
                    INT.setVolatile(segment, (long) CONSUMER_WAITING_OFFSET, 0);
                }
            }
        };
    }

    /**
     * A producer's wait: for {@link #space} free bytes (plus padding to the wrap if needed) at the tail. One per
     * instance, reused by every blocking claim with the space of its message (an instance has one claim at a time),
     * so that a producer that waits for room often (a large message on a small ring) makes no object per wait.
     */
    private final class ProducerRoom implements Waitable {
        /** The record space the waiting claim needs; set before each wait. */
        long space;

        @Override
        public boolean isReady() {
            long tail = (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
            return hasRoom(tail, required(tail, space));
        }

        @Override
        public boolean sleep(long maxNanos) {
            if (!futexCapable) {
                LockSupport.parkNanos(Math.min(maxNanos, 1_000_000L));
                return isReady();
            }
            int seen = (int) INT.getVolatile(segment, (long) PRODUCER_WAKE_OFFSET);
            long bit = waitingBit();
            // An atomic OR is a full fence: the re-check below cannot be ordered before it.
            long unused = (long) LONG.getAndBitwiseOr(segment, (long) PRODUCERS_WAITING_OFFSET, bit);
            try {
                if (isReady()) {
                    return true;
                }
                producerWait.sleeping();
                FutexWaiters.await(producerWake, seen, maxNanos);
                return isReady();
            } finally {
                clearWaitingBit(bit);
            }
        }
    }

    // ---- roles and liveness ---------------------------------------------------------------------------------------

    /** Makes this instance's parties come from {@code token} (the object's access class); before any role is taken. */
    final void useToken(LivenessToken token) {
        this.token = token;
    }

    /** Like {@link #useToken}, made only when a role is first taken (so that attaching makes no token file). */
    final void useToken(java.util.function.Supplier<LivenessToken> source) {
        this.tokenSource = source;
    }

    /** The token for this instance's parties: the one set by {@link #useToken}, else the process's standard one. */
    final LivenessToken token() {
        if (token == null) {
            token = tokenSource != null ? tokenSource.get() : standardToken();
        }
        return token;
    }

    static LivenessToken standardToken() {
        try {
            return LivenessToken.standard();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make this process's liveness token: " + e.getMessage(), e);
        }
    }

    /**
     * Takes the consumer role for this instance: one compare-and-set of the consumer party word, from 0 or from a
     * consumer that is certainly dead, then the display fields, then (if a predecessor died while giving room back)
     * the rest of its give-back. Idempotent for this instance.
     *
     * @throws jipc.live.RoleTakenException if another consumer holds the role and is alive (or cannot be judged)
     */
    final void takeConsumerRole() {
        if (consumerParty != null) {
            return;
        }
        checkMapped();
        Party party = token().newParty();
        try {
            long previous = Role.take(segment, CONSUMER_PARTY_OFFSET, party, "the consumer of " + label,
                    holder -> Liveness.describe((int) INT.getAcquire(segment, (long) CONSUMER_PID_OFFSET),
                            (long) LONG.getAcquire(segment, (long) CONSUMER_PID_NAMESPACE_OFFSET)));
            INT.setRelease(segment, (long) CONSUMER_PID_OFFSET, Liveness.selfPid());
            LONG.setRelease(segment, (long) CONSUMER_PID_NAMESPACE_OFFSET, Liveness.selfPidNamespace());
            if (previous != 0) {
                // a dead consumer may have left its waiting flag set: one needless wake for the next commit
                INT.setVolatile(segment, (long) CONSUMER_WAITING_OFFSET, 0);
            }
        } catch (RuntimeException e) {
            party.close();
            throw e;
        }
        consumerParty = party;
        finishInterruptedGiveBack();
    }

    /** Gives the consumer role back if this instance holds it ({@link SharedChannel#close()} calls this). */
    public void unregisterConsumer() {
        Party party = consumerParty;
        if (party != null) {
            consumerParty = null;
            try {
                checkMapped();
                Role.giveBack(segment, CONSUMER_PARTY_OFFSET, party);
            } finally {
                party.close();
            }
        }
    }

    /**
     * Throws if the object behind the segment is now smaller than the mapping (another process truncated it): an
     * atomic read-modify-write there would crash the JVM instead of throwing.
     */
    final void checkMapped() {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException(label + " is closed (its mapping is gone)");
        }
        LongSupplier size = objectSize;
        if (size != null) {
            long now = size.getAsLong();
            if (now < segment.byteSize()) {
                throw new IllegalStateException(label + ": the shared object is now " + now + " bytes, less than the "
                        + segment.byteSize() + " mapped (another process truncated it)");
            }
        }
    }

    /**
     * Whether this instance holds the consumer role.
     *
     * @return {@code true} between taking the consumer role and giving it back
     */
    public boolean isRegisteredConsumer() {
        return consumerParty != null;
    }

    /**
     * The registered consumer's pid as it recorded it, {@code 0} if none: in its own pid namespace, for display
     * ({@link #consumerState()} is the verdict).
     *
     * @return the pid, or {@code 0} if no consumer is registered
     */
    public int consumerPid() {
        return Role.holder(segment, CONSUMER_PARTY_OFFSET) == 0 ? 0
                : (int) INT.getAcquire(segment, (long) CONSUMER_PID_OFFSET);
    }

    /**
     * The consumer's pid namespace inode as it recorded it ({@code /proc/PID/ns/pid}), 0 if none or unknown.
     *
     * @return the inode number, or {@code 0}
     */
    public long consumerPidNamespace() {
        return (long) LONG.getAcquire(segment, (long) CONSUMER_PID_NAMESPACE_OFFSET);
    }

    /**
     * The verdict on the consumer role's holder: alive, dead, cannot decide (counts as alive), or none registered.
     * By its liveness token, never by a timer or {@code /proc}: right across pid namespaces. Cost: {@code open},
     * {@code fcntl}, {@code close} of the token file.
     *
     * @return the verdict, with its reason
     */
    public PartyState consumerState() {
        return Liveness.check(Role.holder(segment, CONSUMER_PARTY_OFFSET));
    }

    /**
     * Whether a consumer is registered that may still run: alive, or not to be judged from here (see
     * {@link #consumerState()}); {@code false} if none is registered or it is certainly dead. A slow consumer is
     * alive. A producer may use it to stop waiting for a consumer that is gone.
     *
     * @return {@code true} if a registered consumer is alive or cannot be judged
     */
    public boolean isConsumerAlive() {
        return consumerState().mayBeAlive();
    }
}
