package jipc.topic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import jipc.live.Liveness;
import jipc.live.LivenessToken;
import jipc.live.PartyState;
import jipc.live.Role;

import static jipc.topic.TopicDescriptor.CAPACITY_OFFSET;
import static jipc.topic.TopicDescriptor.FLAGS_OFFSET;
import static jipc.topic.TopicDescriptor.HEADER_LENGTH;
import static jipc.topic.TopicDescriptor.HEADER_LENGTH_OFFSET;
import static jipc.topic.TopicDescriptor.MAGIC;
import static jipc.topic.TopicDescriptor.MAGIC_OFFSET;
import static jipc.topic.TopicDescriptor.MAX_MESSAGE_LENGTH_OFFSET;
import static jipc.topic.TopicDescriptor.SLOT_COUNT;
import static jipc.topic.TopicDescriptor.SLOT_COUNT_OFFSET;
import static jipc.topic.TopicDescriptor.VERSION_OFFSET;

/**
 * A topic in a shared segment: one publisher, up to {@value TopicDescriptor#SLOT_COUNT} subscribers, each message
 * written once and read by every subscriber in order (see {@code docs/topic-format.md}).
 *
 * <pre>{@code
 * Topic topic = Topic.attach(segment);                         // any mapping both processes see
 * try (TopicPublisher pub = topic.publisher()) {               // the exclusive publisher role
 *     pub.put(1, payload, Duration.ofSeconds(1));
 * }
 * try (TopicSubscriber sub = topic.subscribe(10)) {            // a slot; the last 10 messages still in the ring
 *     sub.poll((type, msg) -> use(msg), 100, Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>This class holds what both ends share: the header checks, the geometry and the monitoring view
 * ({@link #subscribers()}, {@link #publisherState()}); it keeps no per-end state and is safe to share between
 * threads. {@link #create} writes a header into zeroed memory (the magic last, with a release store); {@link #attach}
 * only checks one and writes nothing. Most programs use {@link SharedTopic}, which adds the named shared memory object.
 */
public final class Topic {
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    final MemorySegment segment;
    final MemorySegment ring;
    final long capacity;
    /** {@code capacity - 1} with the low four bits cleared: a forged position still lands on a record boundary. */
    final long mask;
    final int maxMessageLength;
    final OverflowPolicy policy;
    /** A futex needs a native address; heap segments (tests of the arithmetic) wait by parking instead. */
    final boolean futexCapable;
    /** What the topic is called in messages, e.g. {@code "topic /ticks"}. */
    volatile String label = "the topic";
    /** The object's size now, where there is an object: checked before compare-and-sets (see checkMapped). */
    volatile LongSupplier objectSize;
    private final Supplier<LivenessToken> tokenSource;
    private volatile LivenessToken token;

    private Topic(MemorySegment segment, Supplier<LivenessToken> tokenSource) {
        this.segment = segment;
        this.capacity = segment.get(ValueLayout.JAVA_LONG, CAPACITY_OFFSET);
        this.mask = (capacity - 1) & -TopicRecordDescriptor.ALIGNMENT;
        this.maxMessageLength = segment.get(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET);
        this.policy = (segment.get(ValueLayout.JAVA_INT, FLAGS_OFFSET) & TopicDescriptor.FLAG_OVERWRITE) != 0
                ? OverflowPolicy.OVERWRITE : OverflowPolicy.BLOCK;
        this.ring = segment.asSlice(HEADER_LENGTH, capacity);
        this.futexCapable = segment.isNative();
        this.tokenSource = tokenSource;
    }

    /**
     * Writes a new, empty topic header into {@code segment}, which must be zero (as new shared memory is) and at
     * least {@link TopicDescriptor#segmentSize(long)} bytes.
     *
     * @param capacity         the ring's size in bytes: a power of two of at least 1024
     * @param maxMessageLength the largest payload accepted, at most {@code capacity / 8 - 16}
     * @param policy           what the publisher does on a full ring
     * @param segment zeroed memory of at least {@link TopicDescriptor#segmentSize(long)} bytes, 16-byte aligned
     * @return the topic over {@code segment}, with no publisher or subscriber yet
     */
    public static Topic create(MemorySegment segment, long capacity, int maxMessageLength, OverflowPolicy policy) {
        return create(segment, capacity, maxMessageLength, policy, Topic::standardToken);
    }

    static Topic create(MemorySegment segment, long capacity, int maxMessageLength, OverflowPolicy policy,
                        Supplier<LivenessToken> tokenSource) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(policy, "policy");
        checkSegment(segment);
        long size = TopicDescriptor.segmentSize(capacity);
        if (segment.byteSize() < size) {
            throw new IllegalArgumentException("segment.byteSize()=" + segment.byteSize() + " < required=" + size);
        }
        checkMaxMessageLength(capacity, maxMessageLength);
        if ((long) LONG.getAcquire(segment, (long) MAGIC_OFFSET) != 0) {
            throw new IllegalArgumentException("segment already holds something (magic is set): attach to it instead");
        }
        LivenessToken token = tokenSource.get();
        segment.set(ValueLayout.JAVA_INT, VERSION_OFFSET, TopicDescriptor.LAYOUT_VERSION);
        segment.set(ValueLayout.JAVA_INT, FLAGS_OFFSET,
                policy == OverflowPolicy.OVERWRITE ? TopicDescriptor.FLAG_OVERWRITE : 0);
        segment.set(ValueLayout.JAVA_LONG, CAPACITY_OFFSET, capacity);
        segment.set(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength);
        segment.set(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        segment.set(ValueLayout.JAVA_INT, SLOT_COUNT_OFFSET, SLOT_COUNT);
        segment.set(ValueLayout.JAVA_LONG, TopicDescriptor.CREATOR_PARTY_OFFSET, token.processParty());
        segment.set(ValueLayout.JAVA_INT, TopicDescriptor.CREATOR_PID_OFFSET, Liveness.selfPid());
        segment.set(ValueLayout.JAVA_LONG, TopicDescriptor.CREATOR_PID_NAMESPACE_OFFSET, Liveness.selfPidNamespace());
        LONG.setRelease(segment, (long) MAGIC_OFFSET, MAGIC);
        Topic topic = new Topic(segment, tokenSource);
        topic.token = token;
        return topic;
    }

    /**
     * Attaches to a topic that {@link #create} wrote, checking its header (in the order of
     * {@code docs/topic-format.md}); writes nothing.
     *
     * @param segment the mapped topic: header, slots and ring
     * @return a new instance over {@code segment}, holding no role yet
     * @throws TopicFormatException if the header is not one this code understands (the field and both values)
     */
    public static Topic attach(MemorySegment segment) throws TopicFormatException {
        return attach(segment, Topic::standardToken);
    }

    static Topic attach(MemorySegment segment, Supplier<LivenessToken> tokenSource) throws TopicFormatException {
        checkHeader(segment);
        return new Topic(segment, tokenSource);
    }

    private static void checkSegment(MemorySegment segment) {
        if (segment.isNative() && segment.address() % 8 != 0) {
            throw new IllegalArgumentException("segment address 0x" + Long.toHexString(segment.address())
                    + " is not 8-byte aligned");
        }
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException("segment is read-only: publisher and subscribers write to it");
        }
    }

    private static void checkMaxMessageLength(long capacity, int maxMessageLength) {
        int limit = TopicDescriptor.maxMessageLengthLimit(capacity);
        if (maxMessageLength < 1 || maxMessageLength > limit) {
            throw new IllegalArgumentException("maxMessageLength=" + maxMessageLength + " not in [1, " + limit + "]");
        }
    }

    /** Checks every header field an attacher relies on; writes nothing. */
    static void checkHeader(MemorySegment segment) throws TopicFormatException {
        Objects.requireNonNull(segment, "segment");
        checkSegment(segment);
        if (segment.byteSize() < HEADER_LENGTH) {
            throw new TopicFormatException("segment.byteSize()=" + segment.byteSize() + " < header=" + HEADER_LENGTH);
        }
        long magic = (long) LONG.getAcquire(segment, (long) MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new TopicFormatException("magic=0x" + Long.toHexString(magic) + " != 0x" + Long.toHexString(MAGIC)
                    + " (not a jipc topic, or not created yet)");
        }
        int version = segment.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != TopicDescriptor.LAYOUT_VERSION) {
            throw new TopicFormatException("layout version=" + version + " != supported="
                    + TopicDescriptor.LAYOUT_VERSION);
        }
        int headerLength = segment.get(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH) {
            throw new TopicFormatException("header length=" + headerLength + " != " + HEADER_LENGTH);
        }
        long capacity = segment.get(ValueLayout.JAVA_LONG, CAPACITY_OFFSET);
        if (capacity < TopicDescriptor.MIN_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new TopicFormatException("capacity=" + capacity + " is not a power of two >= "
                    + TopicDescriptor.MIN_CAPACITY);
        }
        if (segment.byteSize() - HEADER_LENGTH < capacity) {
            throw new TopicFormatException("segment.byteSize()=" + segment.byteSize() + " < header + capacity="
                    + (HEADER_LENGTH + capacity));
        }
        int maxMessageLength = segment.get(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET);
        int limit = TopicDescriptor.maxMessageLengthLimit(capacity);
        if (maxMessageLength < 1 || maxMessageLength > limit) {
            throw new TopicFormatException("maxMessageLength=" + maxMessageLength + " not in [1, " + limit + "]");
        }
        int flags = segment.get(ValueLayout.JAVA_INT, FLAGS_OFFSET);
        if ((flags & ~TopicDescriptor.FLAG_OVERWRITE) != 0) {
            throw new TopicFormatException("flags=0x" + Integer.toHexString(flags) + " has unknown bits");
        }
        int slots = segment.get(ValueLayout.JAVA_INT, SLOT_COUNT_OFFSET);
        if (slots != SLOT_COUNT) {
            throw new TopicFormatException("slot count=" + slots + " != " + SLOT_COUNT);
        }
    }

    // ---- the two ends --------------------------------------------------------------------------------------------

    /**
     * Takes the publisher role (one compare-and-set of the header's publisher word, from 0 or from a publisher that
     * is certainly dead) and returns the publisher, which goes on after the last whole message. Close it to give the
     * role back.
     *
     * @return the publisher; close it to give the role back
     * @throws jipc.live.RoleTakenException if another publisher holds the role and is alive (or cannot be judged)
     */
    public TopicPublisher publisher() {
        return new TopicPublisher(this);
    }

    /**
     * {@link #subscribe(int)} with no history: the subscriber's first message is the next one published.
     *
     * @return the subscriber holding a slot; close it to give the slot back
     */
    public TopicSubscriber subscribe() {
        return new TopicSubscriber(this, 0);
    }

    /**
     * Takes a free subscriber slot (or one whose holder is certainly dead) and joins the topic at up to
     * {@code history} messages before the next one: as many of the last {@code history} messages as are still whole
     * in the ring (in BLOCK mode, and still above the publisher's floor). Costs a few compare-and-sets and, for
     * history, a walk over the ring's record headers.
     *
     * @param history how many of the last messages to receive first, {@code >= 0}
     * @return the subscriber holding a slot; close it to give the slot back
     * @throws TopicFullException if all 64 slots are held by live subscribers
     */
    public TopicSubscriber subscribe(int history) {
        if (history < 0) {
            throw new IllegalArgumentException("history=" + history + " < 0");
        }
        return new TopicSubscriber(this, history);
    }

    // ---- geometry and monitoring -----------------------------------------------------------------------------------

    /**
     * The overflow policy chosen at creation.
     *
     * @return {@code BLOCK} or {@code OVERWRITE}, fixed at creation
     */
    public OverflowPolicy policy() {
        return policy;
    }

    /**
     * The ring's size in bytes.
     *
     * @return the capacity in bytes, a power of two
     */
    public long capacity() {
        return capacity;
    }

    /**
     * The largest payload a publisher accepts.
     *
     * @return the largest payload in bytes
     */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /**
     * Bytes ever published (acquire load).
     *
     * @return the tail, a byte position since creation
     */
    public long tailPosition() {
        return (long) LONG.getAcquire(segment, (long) TopicDescriptor.TAIL_OFFSET);
    }

    /**
     * The position of the oldest record still whole in the ring (acquire load).
     *
     * @return the oldest whole record's byte position since creation
     */
    public long oldestPosition() {
        return (long) LONG.getAcquire(segment, (long) TopicDescriptor.OLDEST_OFFSET);
    }

    /**
     * The sequence number of the next message: the number of messages ever published (the look-ahead header).
     *
     * @return the count of messages ever published
     */
    public long nextSequence() {
        long tail = tailPosition();
        return (long) LONG.getAcquire(ring, (tail & mask) + TopicRecordDescriptor.SEQUENCE_OFFSET);
    }

    /**
     * The publisher's party id, 0 if none holds the role.
     *
     * @return the party id ({@code jipc.live}), or 0
     */
    public long publisherParty() {
        return Role.holder(segment, TopicDescriptor.PUBLISHER_PARTY_OFFSET);
    }

    /**
     * The publisher's pid as it recorded it (display only), 0 if none.
     *
     * @return the pid in the publisher's own pid namespace, or 0
     */
    public int publisherPid() {
        return publisherParty() == 0 ? 0
                : (int) INT.getAcquire(segment, (long) TopicDescriptor.PUBLISHER_PID_OFFSET);
    }

    /**
     * The verdict on the publisher (by its liveness token): alive, dead, cannot decide, or none.
     *
     * @return the verdict with its reason (a few system calls on the publisher's token file)
     */
    public PartyState publisherState() {
        return Liveness.check(publisherParty());
    }

    /**
     * The occupied slots now, in slot order: each subscriber's cursor, lag, counts and liveness verdict.
     *
     * @return one entry per held slot; each holder is judged by its token (three system calls each)
     */
    public List<SubscriberInfo> subscribers() {
        List<SubscriberInfo> list = new ArrayList<>();
        long tail = tailPosition();
        long sleeping = (long) LONG.getAcquire(segment, (long) TopicDescriptor.SLEEPING_OFFSET);
        for (int i = 0; i < SLOT_COUNT; i++) {
            long slot = TopicDescriptor.slotOffset(i);
            long party = (long) LONG.getAcquire(segment, slot + TopicDescriptor.SLOT_PARTY_OFFSET);
            if (party == 0) {
                continue;
            }
            long cursor = (long) LONG.getAcquire(segment, slot + TopicDescriptor.SLOT_CURSOR_OFFSET);
            list.add(new SubscriberInfo(i, party, Liveness.check(party),
                    (int) INT.getAcquire(segment, slot + TopicDescriptor.SLOT_PID_OFFSET),
                    (long) LONG.getAcquire(segment, slot + TopicDescriptor.SLOT_PID_NAMESPACE_OFFSET),
                    cursor, cursor < 0 ? 0 : Math.max(0, tail - cursor),
                    (long) LONG.getAcquire(segment, slot + TopicDescriptor.SLOT_RECEIVED_OFFSET),
                    (long) LONG.getAcquire(segment, slot + TopicDescriptor.SLOT_LOST_OFFSET),
                    (sleeping & (1L << i)) != 0));
        }
        return list;
    }

    /**
     * How many slots are held now (by live subscribers, or by dead ones nobody has reclaimed yet). A held slot may
     * still be joining: its subscriber starts at the message after it joins, so to know who will see a message,
     * count the {@link #subscribers()} whose cursor is {@code >= 0}.
     *
     * @return the number of held slots, 0 to 64
     */
    public int subscriberCount() {
        int n = 0;
        for (int i = 0; i < SLOT_COUNT; i++) {
            if ((long) LONG.getAcquire(segment, TopicDescriptor.slotOffset(i) + TopicDescriptor.SLOT_PARTY_OFFSET) != 0) {
                n++;
            }
        }
        return n;
    }

    // ---- shared helpers --------------------------------------------------------------------------------------------

    /** The token whose parties this topic's ends use (the object's access class); made on first need. */
    LivenessToken token() {
        LivenessToken t = token;
        if (t == null) {
            t = tokenSource.get();
            token = t;
        }
        return t;
    }

    static LivenessToken standardToken() {
        try {
            return LivenessToken.standard();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make this process's liveness token: " + e.getMessage(), e);
        }
    }

    /**
     * Throws if the mapping is gone or the object behind it is now smaller than the mapping (another process
     * truncated it): an atomic read-modify-write there would crash the JVM instead of throwing.
     */
    void checkMapped() {
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

    /** Clears {@code bits} in the sleeping set (an atomic AND). */
    void clearSleeping(long bits) {
        long unused = (long) LONG.getAndBitwiseAnd(segment, (long) TopicDescriptor.SLEEPING_OFFSET, ~bits);
    }

    /**
     * Frees slot {@code index} if its holder is {@code party} and certainly dead: clears its sleeping bit, then
     * compare-and-sets the party word to 0, and removes the dead party's token. Returns whether it freed it.
     */
    boolean dropIfDead(int index, long party) {
        if (party == 0 || !Liveness.check(party).isDead()) {
            return false;
        }
        checkMapped();
        clearSleeping(1L << index);
        long slot = TopicDescriptor.slotOffset(index);
        if ((boolean) LONG.compareAndSet(segment, slot + TopicDescriptor.SLOT_PARTY_OFFSET, party, 0L)) {
            if (jipc.internal.Jfr.PRESENT) {
                jipc.internal.Jfr.recovery("subscriber slot " + index + " of " + label, "a dead subscriber dropped",
                        Liveness.describe(segment.get(java.lang.foreign.ValueLayout.JAVA_INT,
                                slot + TopicDescriptor.SLOT_PID_OFFSET), segment.get(
                                java.lang.foreign.ValueLayout.JAVA_LONG, slot + TopicDescriptor.SLOT_PID_NAMESPACE_OFFSET)),
                        party);
            }
            Liveness.removeDeadToken(party);
            return true;
        }
        return false;
    }

    /** The record's space in the ring for a header {@code length} (padding: the length itself). */
    static long recordSpace(int type, int length) {
        return type == TopicRecordDescriptor.PADDING_TYPE ? length : TopicRecordDescriptor.align(length);
    }

    @Override
    public String toString() {
        return "Topic[" + label + ", " + policy + ", capacity=" + capacity + ", tail=" + tailPosition()
                + ", subscribers=" + subscriberCount() + "]";
    }
}
