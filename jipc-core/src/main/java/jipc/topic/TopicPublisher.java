package jipc.topic;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import jipc.channel.WaitStrategy;
import jipc.channel.Waitable;
import jipc.internal.Futex;
import jipc.internal.FutexWaiters;
import jipc.internal.Memory;
import jipc.live.Liveness;
import jipc.live.Party;
import jipc.live.Role;

import static jipc.topic.Topic.INT;
import static jipc.topic.Topic.LONG;
import static jipc.topic.TopicDescriptor.FLOOR_OFFSET;
import static jipc.topic.TopicDescriptor.INTENT_OFFSET;
import static jipc.topic.TopicDescriptor.OLDEST_OFFSET;
import static jipc.topic.TopicDescriptor.PUBLISHER_PARTY_OFFSET;
import static jipc.topic.TopicDescriptor.PUBLISHER_WAITING_OFFSET;
import static jipc.topic.TopicDescriptor.PUBLISHER_WAKE_OFFSET;
import static jipc.topic.TopicDescriptor.SLEEPING_OFFSET;
import static jipc.topic.TopicDescriptor.SUBSCRIBER_WAKE_OFFSET;
import static jipc.topic.TopicDescriptor.TAIL_OFFSET;
import static jipc.topic.TopicRecordDescriptor.HEADER_LENGTH;
import static jipc.topic.TopicRecordDescriptor.LENGTH_OFFSET;
import static jipc.topic.TopicRecordDescriptor.PADDING_TYPE;
import static jipc.topic.TopicRecordDescriptor.SEQUENCE_OFFSET;
import static jipc.topic.TopicRecordDescriptor.TYPE_OFFSET;

/**
 * The one publisher of a {@link Topic}: writes each message once, whatever the number of subscribers.
 *
 * <p>{@link #offer} copies a message in and never blocks: in BLOCK mode it returns {@code false} while the slowest
 * live subscriber is a ring behind; in OVERWRITE mode it always succeeds. {@link #tryClaim}/{@link #commit} write in
 * place (zero-copy). {@link #put} waits for room with this side's {@link WaitStrategy} (futex: the publisher sleeps
 * until a subscriber moves on; a subscriber that died is dropped by its liveness token within one slice of at most
 * 100 ms, never by a timer).
 *
 * <p>Costs per message: plain stores of the payload and a 16-byte header, a release store of the tail, one full
 * fence, and a {@code FUTEX_WAKE} only after some subscriber went to sleep (one call wakes all, and the next message
 * costs none unless one went to sleep again since). In BLOCK mode the publisher
 * reads the subscribers' cursors only when its cached floor says the ring might be full (about once per ring's worth
 * of bytes). A publisher killed at any point leaves only whole messages; the next one goes on after the last.
 *
 * <p>Not thread-safe: one thread publishes through one instance. {@link #close()} gives the role back.
 */
public final class TopicPublisher implements AutoCloseable {
    /** How often at most the publisher judges the liveness of subscribers that keep it waiting (system calls). */
    private static final long LIVENESS_CHECK_NANOS = 10_000_000L;

    private final Topic topic;
    private final MemorySegment segment;
    private final MemorySegment ring;
    private final long capacity;
    private final long mask;
    private final int maxMessageLength;
    private final boolean block;
    private final MemorySegment subscriberWake;
    private final MemorySegment publisherWake;
    private final Party party;
    private final AtomicBoolean closed = new AtomicBoolean();
    private WaitStrategy waitStrategy = WaitStrategy.hybrid();
    /** The JFR view of the publisher's blocking waits for room (nothing without jdk.jfr). */
    private final jipc.internal.Jfr.Wait jfrWait = new jipc.internal.Jfr.Wait("publisher");

    private long tail;
    private long next;
    private long oldest;
    private long intent;
    /** BLOCK: the publisher overwrites nothing at or above this; a lower bound on every joined cursor. */
    private long floorCache;
    /** The slot whose cursor was the smallest at the last scan (-1: none), and its party then. */
    private int blocker = -1;
    private long blockerParty;
    /**
     * BLOCK: whether {@link #floorCache} was computed since the role was taken. Positions compare by difference, so
     * no value of floorCache can mean "below everything" ({@code limit - Long.MIN_VALUE} overflows).
     */
    private boolean floorKnown;
    private long nextLivenessCheck = System.nanoTime();

    private boolean claimOpen;
    private long claimPadding;
    private long claimStart;
    private int claimLength;
    private int claimType;

    TopicPublisher(Topic topic) {
        this.topic = topic;
        this.segment = topic.segment;
        this.ring = topic.ring;
        this.capacity = topic.capacity;
        this.mask = topic.mask;
        this.maxMessageLength = topic.maxMessageLength;
        this.block = topic.policy == OverflowPolicy.BLOCK;
        this.subscriberWake = segment.asSlice(SUBSCRIBER_WAKE_OFFSET, 4);
        this.publisherWake = segment.asSlice(PUBLISHER_WAKE_OFFSET, 4);
        topic.checkMapped();
        Party p = topic.token().newParty();
        try {
            Role.take(segment, PUBLISHER_PARTY_OFFSET, p, "the publisher of " + topic.label,
                    holder -> Liveness.describe(
                            (int) INT.getAcquire(segment, (long) TopicDescriptor.PUBLISHER_PID_OFFSET),
                            (long) LONG.getAcquire(segment, (long) TopicDescriptor.PUBLISHER_PID_NAMESPACE_OFFSET)));
            INT.setRelease(segment, (long) TopicDescriptor.PUBLISHER_PID_OFFSET, Liveness.selfPid());
            LONG.setRelease(segment, (long) TopicDescriptor.PUBLISHER_PID_NAMESPACE_OFFSET,
                    Liveness.selfPidNamespace());
            // a publisher that died asleep left its flag: subscribers would wake nobody once each
            INT.setVolatile(segment, (long) PUBLISHER_WAITING_OFFSET, 0);
            recover();
        } catch (RuntimeException e) {
            Role.giveBack(segment, PUBLISHER_PARTY_OFFSET, p);
            p.close();
            throw e;
        }
        this.party = p;
    }

    /**
     * Finds where the last publisher stopped: the tail, the look-ahead sequence there, the oldest whole record and
     * the intent. A header that no correct publisher leaves (oldest outside the ring behind the tail, an intent
     * below the tail or more than a ring ahead) is mended by losing history, never by throwing.
     */
    private void recover() {
        long t = (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
        if (t < 0 || (t & (TopicRecordDescriptor.ALIGNMENT - 1)) != 0) {
            throw new TopicCorruptedException("positions", t, t, "the tail is not a non-negative multiple of 16");
        }
        long o = (long) LONG.getAcquire(segment, (long) OLDEST_OFFSET);
        long i = (long) LONG.getAcquire(segment, (long) INTENT_OFFSET);
        if (t - o < 0 || t - o > capacity || (o & (TopicRecordDescriptor.ALIGNMENT - 1)) != 0) {
            o = t;
            LONG.setRelease(segment, (long) OLDEST_OFFSET, o);
        }
        if (i - t < 0 || i - t > capacity) {
            i = i - t < 0 ? t : t + capacity;
            LONG.setRelease(segment, (long) INTENT_OFFSET, i);
        }
        tail = t;
        oldest = o;
        intent = i;
        if (i - capacity - o > 0) {
            // a torn header: records below the inherited intent may be overwritten; keep oldest >= intent - capacity,
            // or lapped OVERWRITE subscribers would find no whole record at the oldest until this publisher passes it
            advanceOldest(i - capacity);
        }
        next = (long) LONG.getAcquire(ring, (t & mask) + SEQUENCE_OFFSET);
        floorKnown = false; // the first BLOCK publish scans the cursors
        long f = (long) LONG.getAcquire(segment, (long) FLOOR_OFFSET);
        if (f - t > 0) {
            LONG.setRelease(segment, (long) FLOOR_OFFSET, t); // no publisher publishes a floor beyond the tail
        }
    }

    /**
     * Sets the strategy {@link #put} waits with ({@link WaitStrategy#hybrid()} by default); returns this.
     *
     * @param strategy how {@code put} and {@code claim} wait for room
     * @return this publisher
     */
    public TopicPublisher waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    /**
     * The topic this publisher writes.
     *
     * @return the topic
     */
    public Topic topic() {
        return topic;
    }

    /**
     * The sequence number the next message gets (messages published so far, by all publishers of the topic).
     *
     * @return the sequence number, counted from 0 at the topic's creation
     */
    public long nextSequence() {
        return next;
    }

    // ---- publishing ------------------------------------------------------------------------------------------------

    /**
     * Copies one message into the ring and publishes it.
     *
     * @param type    the message type, {@code >= 1}
     * @param payload at most {@link Topic#maxMessageLength()} bytes
     * @return {@code false} only in BLOCK mode when the slowest live subscriber leaves no room now
     */
    public boolean offer(int type, MemorySegment payload) {
        Objects.requireNonNull(payload, "payload");
        int length = checkedLength(payload.byteSize());
        long index = claimIndex(type, length);
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
     * @param length the message length in bytes, at most the topic's largest payload
     * @return {@code true} if published; {@code false} (BLOCK only) if the ring has no room now
     */
    public boolean offer(int type, byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(payload, "payload").length);
        return offer(type, MemorySegment.ofArray(payload).asSlice(offset, length));
    }

    /**
     * {@link #offer(int, MemorySegment)} that waits up to {@code timeout} for room (BLOCK); in OVERWRITE mode it
     * never waits.
     *
     * @param timeout how long to wait; {@code null} waits as long as it takes
     * @param payload the bytes to copy, at most the topic's largest payload
     * @param type the message type, {@code >= 1}
     * @return whether the message was published
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public boolean put(int type, MemorySegment payload, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(payload, "payload");
        int length = checkedLength(payload.byteSize());
        long index = claimIndex(type, length, timeout);
        if (index < 0) {
            return false;
        }
        copyIn(payload, index, length);
        commit();
        return true;
    }

    /**
     * Reserves room for one message of {@code length} bytes and returns the writable ring slice for its payload
     * (zero-copy); nothing is visible until {@link #commit()}. One claim at a time.
     *
     * @param length the payload length in bytes, at most the topic's largest payload
     * @param type the message type, {@code >= 1}
     * @return the payload slice, or {@code null} (BLOCK only) if there is no room now
     */
    public MemorySegment tryClaim(int type, int length) {
        long index = claimIndex(type, checkedLength(length));
        return index < 0 ? null : ring.asSlice(index, length);
    }

    /**
     * {@link #tryClaim} that waits up to {@code timeout} for room; {@code null} if none came in time.
     *
     * @param type the message type, {@code >= 1}
     * @param length the payload length in bytes, at most the topic's largest payload
     * @param timeout how long to wait for room; {@code null} waits as long as it takes
     * @return the payload slice to write into before {@link #commit()}, or {@code null} if no room came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public MemorySegment claim(int type, int length, Duration timeout) throws InterruptedException {
        long index = claimIndex(type, checkedLength(length), timeout);
        return index < 0 ? null : ring.asSlice(index, length);
    }

    /** Publishes the claimed message and wakes the subscribers if any sleeps. */
    public void commit() {
        if (!claimOpen) {
            throw new IllegalStateException("no open claim to commit");
        }
        claimOpen = false;
        long seq = next;
        if (claimPadding > 0) {
            writePadding(seq);
        }
        long start = claimStart;
        long s = start & mask;
        MemorySegment r = ring;
        // length and type in one 8-byte store (little-endian: length at +0, type at +4), then the sequence
        LONG.set(r, s + LENGTH_OFFSET, lengthAndType(HEADER_LENGTH + claimLength, claimType));
        LONG.set(r, s + SEQUENCE_OFFSET, seq);
        long newTail = start + TopicRecordDescriptor.recordSpace(claimLength);
        // the look-ahead header (length 0, type 0): a subscriber that joins at the new tail learns the next sequence
        long n = newTail & mask;
        LONG.set(r, n + LENGTH_OFFSET, 0L);
        LONG.set(r, n + SEQUENCE_OFFSET, seq + 1);
        LONG.setRelease(segment, (long) TAIL_OFFSET, newTail);
        tail = newTail;
        next = seq + 1;
        wakeSubscribersIfSleeping();
    }

    /** A record header's first 8 bytes as one little-endian long: {@code length} at offset 0, {@code type} at 4. */
    private static long lengthAndType(int length, int type) {
        return ((long) type << 32) | (length & 0xFFFF_FFFFL);
    }

    /** The padding record that fills the ring's end before a message that would not fit there (kept out of commit). */
    private void writePadding(long seq) {
        long p = tail & mask;
        INT.set(ring, p + LENGTH_OFFSET, (int) claimPadding);
        INT.set(ring, p + TYPE_OFFSET, PADDING_TYPE);
        LONG.set(ring, p + SEQUENCE_OFFSET, seq);
    }

    /** Gives up the claimed message unpublished. */
    public void abort() {
        if (!claimOpen) {
            throw new IllegalStateException("no open claim to abort");
        }
        claimOpen = false;
    }

    /** Steps 1–4 of the spec's publish: room, oldest, intent; the ring index of the payload, or -1 (no room). */
    private long claimIndex(int type, int length) {
        if (type < 1 || claimOpen || closed.get()) {
            refuseClaim(type); // kept out of this method's body: the JIT inlines the rest into every offer
        }
        long t = tail;
        long space = TopicRecordDescriptor.recordSpace(length);
        long toEnd = capacity - (t & mask);
        long padding = space > toEnd ? toEnd : 0;
        long start = t + padding;
        long end = start + space + HEADER_LENGTH; // the look-ahead header is written too
        long limit = end - capacity;
        if (block && (!floorKnown || limit - floorCache > 0) && !refreshFloor(limit)) {
            return -1;
        }
        if (limit - oldest > 0) {
            advanceOldest(limit);
        }
        if (end - intent > 0) {
            intent = end;
            LONG.setRelease(segment, (long) INTENT_OFFSET, end);
        }
        // every ring byte written from here on is ordered after the intent: a reader that saw one of them sees it
        VarHandle.storeStoreFence();
        claimOpen = true;
        claimPadding = padding;
        claimStart = start;
        claimLength = length;
        claimType = type;
        return (start & mask) + HEADER_LENGTH;
    }

    /** Throws for a claim {@link #claimIndex} must refuse: a bad type, a claim already open, a closed publisher. */
    private void refuseClaim(int type) {
        if (type < 1) {
            throw new IllegalArgumentException("type=" + type + " < 1");
        }
        if (claimOpen) {
            throw new IllegalStateException("a claim is already open at position " + claimStart
                    + ": commit or abort it");
        }
        checkOpen();
    }

    private long claimIndex(int type, int length, Duration timeout) throws InterruptedException {
        long timeoutNanos = WaitStrategy.timeoutNanos(timeout);
        long index = claimIndex(type, length);
        if (index >= 0 || timeoutNanos == 0) {
            return index;
        }
        long deadline = timeoutNanos == WaitStrategy.FOREVER ? WaitStrategy.FOREVER : System.nanoTime() + timeoutNanos;
        try {
            index = awaitAndClaim(type, length, deadline);
            return index;
        } finally {
            jfrWait.end(topic.label, index >= 0); // a jipc.ChannelWait if the wait slept
        }
    }

    private long awaitAndClaim(int type, int length, long deadline) throws InterruptedException {
        Waitable room = roomWaitable(length);
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

    /** Moves {@link #oldest} past the records below {@code limit}; a malformed record costs the history. */
    private void advanceOldest(long limit) {
        long o = oldest;
        long t = tail;
        while (limit - o > 0) {
            long at = o & mask;
            int length = (int) INT.get(ring, at + LENGTH_OFFSET);
            int type = (int) INT.get(ring, at + TYPE_OFFSET);
            long space = Topic.recordSpace(type, length);
            if (length < HEADER_LENGTH || space > capacity - at || (space & (TopicRecordDescriptor.ALIGNMENT - 1)) != 0
                    || space > t - o) {
                o = t; // not a record a publisher wrote: give up the history rather than walk garbage
                break;
            }
            o += space;
        }
        oldest = o;
        LONG.setRelease(segment, (long) OLDEST_OFFSET, o);
    }

    /**
     * BLOCK: recomputes the floor (the spec's handshake: scan, store, fence, scan again) and says whether a write
     * reaching {@code limit + capacity} is allowed. Judges the liveness of the subscribers below {@code limit} (at
     * most every 10 ms) and drops the dead.
     */
    private boolean refreshFloor(long limit) {
        long m = scanCursors();
        if (limit - m > 0) {
            long now = System.nanoTime();
            if (now - nextLivenessCheck >= 0) {
                nextLivenessCheck = now + LIVENESS_CHECK_NANOS;
                if (dropDeadBelow(limit)) {
                    m = scanCursors();
                }
            }
        }
        // the published floor never goes down (docs/topic-format.md, "Why the floor never goes down"): a joiner with
        // a stale cursor that a scan sees must still find a floor above what earlier rounds overwrote
        if (m - (long) LONG.getVolatile(segment, (long) FLOOR_OFFSET) > 0) {
            LONG.setVolatile(segment, (long) FLOOR_OFFSET, m);
        }
        VarHandle.fullFence();
        long m2 = scanCursors();
        if (m2 - m < 0) {
            m = m2; // below the published floor: only floorCache keeps below the joiner
        }
        floorCache = m;
        floorKnown = true;
        return limit - m <= 0;
    }

    /**
     * The smallest cursor of an occupied slot that has joined, or the tail if there is none; remembers which slot
     * holds it ({@link #blocker}), so that a waiting publisher can watch that one cursor instead of all 64.
     */
    private long scanCursors() {
        long min = tail;
        int at = -1;
        long holder = 0;
        for (int i = 0; i < TopicDescriptor.SLOT_COUNT; i++) {
            long slot = TopicDescriptor.slotOffset(i);
            long party = (long) LONG.getVolatile(segment, slot + TopicDescriptor.SLOT_PARTY_OFFSET);
            if (party != 0) {
                long cursor = (long) LONG.getVolatile(segment, slot + TopicDescriptor.SLOT_CURSOR_OFFSET);
                if (cursor >= 0 && (at < 0 || cursor - min < 0)) {
                    min = cursor;
                    at = i;
                    holder = party;
                }
            }
        }
        blocker = at;
        blockerParty = holder;
        return min;
    }

    /**
     * Whether the slot that held the smallest cursor at the last scan still holds it below {@code limit}: two loads
     * of one slot, so a spinning wait for room does not rescan every slot's line on every turn. A full scan
     * ({@link #refreshFloor}) follows as soon as that subscriber moves (or leaves), and before every sleep.
     */
    private boolean blockerStillBehind(long limit) {
        int b = blocker;
        if (b < 0) {
            return false;
        }
        long slot = TopicDescriptor.slotOffset(b);
        if ((long) LONG.getVolatile(segment, slot + TopicDescriptor.SLOT_PARTY_OFFSET) != blockerParty) {
            return false;
        }
        long cursor = (long) LONG.getVolatile(segment, slot + TopicDescriptor.SLOT_CURSOR_OFFSET);
        return cursor >= 0 && limit - cursor > 0;
    }

    /** Drops every dead subscriber whose cursor is below {@code limit}; returns whether it dropped one. */
    private boolean dropDeadBelow(long limit) {
        boolean dropped = false;
        for (int i = 0; i < TopicDescriptor.SLOT_COUNT; i++) {
            long slot = TopicDescriptor.slotOffset(i);
            long p = (long) LONG.getVolatile(segment, slot + TopicDescriptor.SLOT_PARTY_OFFSET);
            if (p == 0) {
                continue;
            }
            long cursor = (long) LONG.getVolatile(segment, slot + TopicDescriptor.SLOT_CURSOR_OFFSET);
            if (cursor >= 0 && limit - cursor > 0 && topic.dropIfDead(i, p)) {
                dropped = true;
            }
        }
        return dropped;
    }

    /**
     * The publisher's half of the subscribers' wake protocol: the full fence orders the tail's release store before
     * the load of the sleeping set, so either a subscriber's re-check sees the message or this load sees its bit. The
     * bits are taken (exchanged for 0) before the wake, so a subscriber that sleeps costs one {@code FUTEX_WAKE}, not
     * one per message until it runs and clears its bit itself.
     */
    private void wakeSubscribersIfSleeping() {
        VarHandle.fullFence();
        if ((long) LONG.getVolatile(segment, (long) SLEEPING_OFFSET) != 0
                && (long) LONG.getAndSet(segment, (long) SLEEPING_OFFSET, 0L) != 0) {
            int unused = (int) INT.getAndAdd(segment, (long) SUBSCRIBER_WAKE_OFFSET, 1);
            if (topic.futexCapable) {
                int unusedWoken = Futex.wake(subscriberWake, Integer.MAX_VALUE);
            }
        }
    }

    /** The publisher's wait for room for a payload of {@code length} bytes (BLOCK). */
    private Waitable roomWaitable(int length) {
        return new Waitable() {
            /** The write's limit: it overwrites positions below this. */
            private long limit() {
                long t = tail;
                long space = TopicRecordDescriptor.recordSpace(length);
                long toEnd = capacity - (t & mask);
                long end = t + (space > toEnd ? toEnd : 0) + space + HEADER_LENGTH;
                return end - capacity;
            }

            @Override
            public boolean isReady() {
                long limit = limit();
                if (floorKnown && limit - floorCache <= 0) {
                    return true;
                }
                return !blockerStillBehind(limit) && refreshFloor(limit);
            }

            /** {@link #isReady()} with a full scan and the laggards' liveness judged: before and after a sleep. */
            private boolean readyAfterScan() {
                long limit = limit();
                return floorKnown && limit - floorCache <= 0 || refreshFloor(limit);
            }

            @Override
            public boolean sleep(long maxNanos) {
                if (!topic.futexCapable) {
                    LockSupport.parkNanos(Math.min(maxNanos, 1_000_000L));
                    return readyAfterScan();
                }
                int seen = (int) INT.getVolatile(segment, (long) PUBLISHER_WAKE_OFFSET);
                INT.setVolatile(segment, (long) PUBLISHER_WAITING_OFFSET, 1);
                VarHandle.fullFence();
                try {
                    nextLivenessCheck = System.nanoTime(); // judge the laggards before every sleep
                    if (readyAfterScan()) {
                        return true;
                    }
                    jfrWait.sleeping();
                    FutexWaiters.await(publisherWake, seen, maxNanos);
                    return readyAfterScan();
                } finally {
                    INT.setVolatile(segment, (long) PUBLISHER_WAITING_OFFSET, 0);
                }
            }
        };
    }

    private void copyIn(MemorySegment payload, long index, int length) {
        if (length >= 16 * 1024) {
            Memory.copyInto(payload, ring, index, length); // no slice of the ring
        } else {
            MemorySegment.copy(payload, 0, ring, index, length);
        }
    }

    private int checkedLength(long length) {
        if (length < 0 || length > maxMessageLength) {
            throw new IllegalArgumentException("length=" + length + " not in [0, maxMessageLength="
                    + maxMessageLength + "]");
        }
        return (int) length;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the publisher of " + topic.label + " is closed");
        }
    }

    /** Aborts an open claim and gives the publisher role back. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            claimOpen = false;
            try {
                topic.checkMapped();
                Role.giveBack(segment, PUBLISHER_PARTY_OFFSET, party);
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                // the mapping is gone or truncated: the role dies with this process's token
            } finally {
                party.close();
            }
        }
    }

    @Override
    public String toString() {
        return "TopicPublisher[" + topic.label + ", tail=" + tail + ", next=" + next + (closed.get() ? ", closed]" : "]");
    }
}
