package jipc.topic;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import jipc.channel.MessageHandler;
import jipc.channel.WaitStrategy;
import jipc.channel.Waitable;
import jipc.internal.Futex;
import jipc.internal.FutexWaiters;
import jipc.live.Liveness;
import jipc.live.Party;

import static jipc.topic.Topic.INT;
import static jipc.topic.Topic.LONG;
import static jipc.topic.TopicDescriptor.FLOOR_OFFSET;
import static jipc.topic.TopicDescriptor.INTENT_OFFSET;
import static jipc.topic.TopicDescriptor.OLDEST_OFFSET;
import static jipc.topic.TopicDescriptor.PUBLISHER_WAITING_OFFSET;
import static jipc.topic.TopicDescriptor.PUBLISHER_WAKE_OFFSET;
import static jipc.topic.TopicDescriptor.SLEEPING_OFFSET;
import static jipc.topic.TopicDescriptor.SLOT_CURSOR_OFFSET;
import static jipc.topic.TopicDescriptor.SLOT_LOST_OFFSET;
import static jipc.topic.TopicDescriptor.SLOT_PARTY_OFFSET;
import static jipc.topic.TopicDescriptor.SLOT_RECEIVED_OFFSET;
import static jipc.topic.TopicDescriptor.SUBSCRIBER_WAKE_OFFSET;
import static jipc.topic.TopicDescriptor.TAIL_OFFSET;
import static jipc.topic.TopicRecordDescriptor.HEADER_LENGTH;
import static jipc.topic.TopicRecordDescriptor.LENGTH_OFFSET;
import static jipc.topic.TopicRecordDescriptor.PADDING_TYPE;
import static jipc.topic.TopicRecordDescriptor.SEQUENCE_OFFSET;
import static jipc.topic.TopicRecordDescriptor.TYPE_OFFSET;

/**
 * One subscriber of a {@link Topic}: holds a slot and its own cursor, and receives every message published after it
 * joined (plus the history it asked for), in order.
 *
 * <p>In BLOCK mode the handler reads each message in place in the shared ring (zero-copy: the view is valid during
 * the call only) and nothing is ever lost. In OVERWRITE mode the publisher may overwrite a message while it is read,
 * so the subscriber copies each message into its own buffer, then checks that the publisher's intent has not reached
 * it during the copy (a seqlock read): a message overwritten during its read is counted as lost, never handed over.
 * A subscriber that fell a whole ring behind is lapped: it adds the messages it missed to {@link #lostMessages()}
 * (exactly, from the sequence numbers) and goes on at the oldest message still whole. That message is the next one
 * the publisher overwrites: a subscriber lapped again before it delivered anything jumps to the newest message (a walk
 * over at most a ring of record headers, no payload), as Agrona's receivers do on every lap, counting what it skips
 * as lost, so that a publisher faster than its copies cannot starve it.
 *
 * <p>Waiting ({@link #poll(MessageHandler, int, Duration)}, {@link #take}) with the default hybrid strategy spins
 * ({@link WaitStrategy#hybrid()}), then sleeps on the topic's one futex word: an idle subscriber uses no CPU, and one
 * {@code FUTEX_WAKE} from the publisher wakes every sleeping subscriber. A virtual thread parks instead of pinning
 * its carrier.
 *
 * <p>Not thread-safe: one thread polls one instance. {@link #close()} frees the slot.
 */
public final class TopicSubscriber implements AutoCloseable {
    /** Bounds the re-synchronisation of a lapped subscriber against a publisher that laps it again and again. */
    private static final int MAX_RESYNC_TRIES = 1_000_000;
    /** Bounds the history walk's restarts (each walks up to a ring of record headers). */
    private static final int MAX_WALK_TRIES = 1_000;
    /** The jump's walk proves its record headers whole (one intent load) after the first and then after this many. */
    private static final int WALK_BATCH = 16;
    /**
     * Walks of a jump the publisher may overtake before the subscriber resumes at the oldest record instead: each
     * costs up to a ring of header reads, and four lapped subscribers that walked a thousand times per lap starved a
     * publisher of 4 KiB messages (benchmarks, 6 Dec 2026).
     */
    private static final int JUMP_TRIES = 8;

    private final Topic topic;
    private final MemorySegment segment;
    private final MemorySegment ring;
    private final MemorySegment readOnlyRing;
    private final long capacity;
    private final long mask;
    private final int maxMessageLength;
    private final boolean block;
    private final int slot;
    private final long slotOffset;
    private final long bit;
    private final Party party;
    private final MemorySegment subscriberWake;
    private final MemorySegment publisherWake;
    /** OVERWRITE: where a message is copied before it is checked and handed over. */
    private final MemorySegment copy;
    private final MemorySegment readOnlyCopy;
    /** OVERWRITE: the last view of {@link #readOnlyCopy} handed to a handler ({@link #copyView}). */
    private MemorySegment lastCopyView;
    private final Waitable messageWaitable = messageWaitable();
    /** The JFR view of this subscriber's blocking waits (nothing without jdk.jfr). */
    private final jipc.internal.Jfr.Wait jfrWait = new jipc.internal.Jfr.Wait("subscriber");
    private final AtomicBoolean closed = new AtomicBoolean();
    private WaitStrategy waitStrategy = WaitStrategy.hybrid();

    private long cursor;
    private long published;
    private long tailCache;
    private long expected;
    private long received;
    private long lost;
    /** OVERWRITE: lapped since it last delivered a message (a second lap then jumps ahead, see resync). */
    private boolean lappedSinceDelivery;

    TopicSubscriber(Topic topic, int history) {
        this.topic = topic;
        this.segment = topic.segment;
        this.ring = topic.ring;
        this.readOnlyRing = ring.asReadOnly();
        this.capacity = topic.capacity;
        this.mask = topic.mask;
        this.maxMessageLength = topic.maxMessageLength;
        this.block = topic.policy == OverflowPolicy.BLOCK;
        this.subscriberWake = segment.asSlice(SUBSCRIBER_WAKE_OFFSET, 4);
        this.publisherWake = segment.asSlice(PUBLISHER_WAKE_OFFSET, 4);
        this.copy = block ? null : MemorySegment.ofArray(new byte[maxMessageLength]);
        this.readOnlyCopy = block ? null : copy.asReadOnly();
        topic.checkMapped();
        Party p = topic.token().newParty();
        int taken = -1;
        try {
            taken = takeSlot(p);
            this.slot = taken;
            this.slotOffset = TopicDescriptor.slotOffset(taken);
            this.bit = 1L << taken;
            join(history);
        } catch (RuntimeException e) {
            if (taken >= 0) {
                boolean unused = (boolean) LONG.compareAndSet(segment,
                        TopicDescriptor.slotOffset(taken) + SLOT_PARTY_OFFSET, p.id(), 0L);
            }
            p.close();
            throw e;
        }
        this.party = p;
    }

    /** The spec's "Joining" step 1: a free slot, else a dead subscriber's; its cursor is -1 until it has joined. */
    private int takeSlot(Party p) {
        long id = p.id();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < TopicDescriptor.SLOT_COUNT; i++) {
                long at = TopicDescriptor.slotOffset(i);
                long holder = (long) LONG.getVolatile(segment, at + SLOT_PARTY_OFFSET);
                boolean free = holder == 0;
                if (pass == 0 && !free || pass == 1 && (free || !Liveness.check(holder).isDead())) {
                    continue;
                }
                if (!free) {
                    topic.clearSleeping(1L << i); // it may have died asleep
                }
                if ((boolean) LONG.compareAndSet(segment, at + SLOT_PARTY_OFFSET, holder, id)) {
                    if (!free) {
                        if (jipc.internal.Jfr.PRESENT) {
                            jipc.internal.Jfr.recovery("subscriber slot " + i + " of " + topic.label,
                                    "taken over from a dead holder", Liveness.describe(
                                            (int) INT.getAcquire(segment, at + TopicDescriptor.SLOT_PID_OFFSET),
                                            (long) LONG.getAcquire(segment, at + TopicDescriptor.SLOT_PID_NAMESPACE_OFFSET)),
                                    holder);
                        }
                        Liveness.removeDeadToken(holder);
                    }
                    LONG.setVolatile(segment, at + SLOT_CURSOR_OFFSET, TopicDescriptor.CURSOR_JOINING);
                    LONG.setRelease(segment, at + SLOT_RECEIVED_OFFSET, 0L);
                    LONG.setRelease(segment, at + SLOT_LOST_OFFSET, 0L);
                    INT.setRelease(segment, at + TopicDescriptor.SLOT_PID_OFFSET, Liveness.selfPid());
                    LONG.setRelease(segment, at + TopicDescriptor.SLOT_PID_NAMESPACE_OFFSET,
                            Liveness.selfPidNamespace());
                    return i;
                }
            }
        }
        throw new TopicFullException(topic.label + ": all " + TopicDescriptor.SLOT_COUNT
                + " subscriber slots are held by live subscribers");
    }

    /** The spec's "Joining" steps 2–4: where to start, the floor handshake (BLOCK), the expected sequence. */
    private void join(int history) {
        long p = history == 0 ? tail() : historyStart(history);
        if (block) {
            for (int tries = 0;; tries++) {
                LONG.setVolatile(segment, slotOffset + SLOT_CURSOR_OFFSET, p);
                VarHandle.fullFence();
                long floor = (long) LONG.getVolatile(segment, (long) FLOOR_OFFSET);
                if (floor - p <= 0) {
                    break;
                }
                long t = tail();
                if (floor - t > 0 || (floor & (TopicRecordDescriptor.ALIGNMENT - 1)) != 0 || tries > 1000) {
                    throw new TopicCorruptedException("floor", t, floor, "not a record boundary at or below the tail");
                }
                p = floor; // the records below the floor may be overwritten: start at the floor
            }
            tailCache = tail(); // after the join: the look-ahead at p (maybe the tail) is visible
            if (tailCache - p < 0 || tailCache - p > capacity) {
                throw new TopicCorruptedException("positions", p, tailCache, "a tail within a ring of the start");
            }
            expected = (long) LONG.get(ring, (p & mask) + SEQUENCE_OFFSET);
            cursor = p;
        } else {
            cursor = p;
            tailCache = tail();
            expected = (long) LONG.get(ring, (p & mask) + SEQUENCE_OFFSET);
            VarHandle.acquireFence();
            if (lapped(p)) {
                long lostBefore = lost;
                resync();
                lost = lostBefore; // what went by before we joined is not ours to count
                lappedSinceDelivery = false;
            }
            LONG.setRelease(segment, slotOffset + SLOT_CURSOR_OFFSET, cursor);
        }
        published = cursor;
    }

    /**
     * The position of the first of the last {@code history} messages still whole: walks from the oldest record,
     * validating every header against the intent (a walk the publisher overtakes starts again).
     */
    private long historyStart(int history) {
        for (int tries = 0; tries < MAX_WALK_TRIES; tries++) {
            long t = tail();
            long target = (long) LONG.get(ring, (t & mask) + SEQUENCE_OFFSET) - history;
            long p = (long) LONG.getAcquire(segment, (long) OLDEST_OFFSET);
            if (t - p < 0 || t - p > capacity) {
                continue; // the publisher moved on meanwhile (or the header is torn): look again
            }
            boolean overtaken = false;
            while (p != t) {
                long at = p & mask;
                int length = (int) INT.get(ring, at + LENGTH_OFFSET);
                int type = (int) INT.get(ring, at + TYPE_OFFSET);
                long seq = (long) LONG.get(ring, at + SEQUENCE_OFFSET);
                VarHandle.acquireFence();
                if (lapped(p)) {
                    overtaken = true;
                    break;
                }
                if (seq - target >= 0) {
                    return p;
                }
                long space = checkRecord(p, at, length, type, t);
                p += space;
            }
            if (!overtaken) {
                return t;
            }
        }
        throw new TopicCorruptedException("positions", 0, 0, "the history walk was overtaken "
                + MAX_WALK_TRIES + " times");
    }

    // ---- polling ---------------------------------------------------------------------------------------------------

    /**
     * Hands at most {@code limit} messages to {@code handler}, in order, without waiting.
     *
     * @param limit the most messages to hand over
     * @param handler called once per message, in order, with a slice valid only during the call (in the ring for BLOCK,
     *     a copy for OVERWRITE)
     * @return the number of messages handed over ({@code 0}: none now)
     * @throws TopicCorruptedException if the ring holds what no correct publisher writes
     */
    public int poll(MessageHandler handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        if (limit < 1) {
            throw new IllegalArgumentException("limit=" + limit + " < 1");
        }
        checkOpen();
        try {
            return block ? pollInPlace(handler, limit) : pollCopies(handler, limit);
        } finally {
            publishProgress();
        }
    }

    /** BLOCK: records below the tail are never overwritten while this subscriber has not read them. */
    private int pollInPlace(MessageHandler handler, int limit) {
        long c = cursor;
        long t = tailCache;
        int n = 0;
        while (n < limit) {
            if (c == t) {
                t = tail();
                tailCache = t;
                if (c == t) {
                    break;
                }
            }
            if (t - c < 0 || t - c > capacity) {
                throw new TopicCorruptedException("positions", c, t, "the tail is behind the cursor or more than "
                        + "a ring ahead of it (BLOCK)");
            }
            long at = c & mask;
            int length = (int) INT.get(ring, at + LENGTH_OFFSET);
            int type = (int) INT.get(ring, at + TYPE_OFFSET);
            long space = checkRecord(c, at, length, type, t);
            if (type == PADDING_TYPE) {
                c += space;
                cursor = c;
                continue;
            }
            long seq = (long) LONG.get(ring, at + SEQUENCE_OFFSET);
            count(seq);
            c += space;
            cursor = c; // before the handler: a handler that throws does not get this message again
            handler.onMessage(type, readOnlyRing.asSlice(at + HEADER_LENGTH, length - HEADER_LENGTH));
            n++;
        }
        return n;
    }

    /** OVERWRITE: copy out, check the intent did not reach the record, then hand the copy over. */
    private int pollCopies(MessageHandler handler, int limit) {
        int n = 0;
        while (n < limit) {
            long c = cursor;
            long t = tailCache;
            if (c == t) {
                t = tail();
                tailCache = t;
                if (c == t) {
                    break;
                }
            }
            if (t - c < 0) {
                throw new TopicCorruptedException("positions", c, t, "the tail is behind the cursor");
            }
            long at = c & mask;
            int length = (int) INT.get(ring, at + LENGTH_OFFSET);
            int type = (int) INT.get(ring, at + TYPE_OFFSET);
            long seq = (long) LONG.get(ring, at + SEQUENCE_OFFSET);
            VarHandle.acquireFence();
            if (t - c > capacity || lapped(c)) {
                resync();
                continue;
            }
            long space = checkRecord(c, at, length, type, t);
            if (type == PADDING_TYPE) {
                cursor = c + space;
                continue;
            }
            int payload = length - HEADER_LENGTH;
            MemorySegment.copy(ring, at + HEADER_LENGTH, copy, 0, payload);
            VarHandle.acquireFence();
            if (lapped(c)) {
                resync(); // overwritten during the copy: lost, never delivered
                continue;
            }
            count(seq);
            lappedSinceDelivery = false;
            cursor = c + space;
            handler.onMessage(type, copyView(payload));
            n++;
        }
        return n;
    }

    /**
     * The read-only view of the first {@code length} bytes of the private copy: the last one made if it has that
     * length (a handler may only use its payload during the call, and the copy's bytes change with every message
     * anyway), so a stream of equal lengths makes no object per message. Making one per message cost a subscriber
     * about a tenth of its CPU at 4 KiB, in the view and in collecting it (perf, 6 Dec 2026).
     */
    private MemorySegment copyView(int length) {
        MemorySegment view = lastCopyView;
        if (view == null || view.byteSize() != length) {
            view = readOnlyCopy.asSlice(0, length);
            lastCopyView = view;
        }
        return view;
    }

    /** Whether the publisher's intent has reached the record at {@code position} (it may be overwritten). */
    private boolean lapped(long position) {
        long intent = (long) LONG.getAcquire(segment, (long) INTENT_OFFSET);
        return intent - capacity - position > 0;
    }

    /**
     * OVERWRITE, lapped (the spec's "Reading (OVERWRITE)" steps 4 and 5): count what was lost (by sequence) and go on
     * at the oldest record still whole; but if it was lapped again before it delivered anything since the last time,
     * jump to the newest record instead.
     *
     * <p>Why the jump: the oldest record is the very next one the publisher overwrites. A publisher that writes a
     * record while this subscriber copies one invalidates that copy, then the next oldest, and so on: a tug of war
     * the subscriber never wins. At the newest record it has a whole ring of runway before the publisher comes back.
     */
    private void resync() {
        boolean jump = lappedSinceDelivery;
        lappedSinceDelivery = true;
        if (jump && jumpAhead()) {
            return;
        }
        for (int tries = 0; tries < MAX_RESYNC_TRIES; tries++) {
            long t = tail();
            long o = (long) LONG.getAcquire(segment, (long) OLDEST_OFFSET);
            if (t - o < 0 || t - o > capacity) {
                continue; // a publisher between its stores: look again
            }
            long seq = (long) LONG.get(ring, (o & mask) + SEQUENCE_OFFSET);
            VarHandle.acquireFence();
            if (lapped(o)) {
                continue; // overtaken again
            }
            resumeAt(o, seq, t);
            return;
        }
        throw new TopicCorruptedException("positions", cursor, 0, "no whole record found after "
                + MAX_RESYNC_TRIES + " tries (intent, oldest and tail disagree)");
    }

    /**
     * Lapped twice without a delivery between: walks the record headers from the oldest record to the newest one
     * (the last below the tail it loaded first) and resumes there. The headers are checked against the intent in
     * batches of {@link #WALK_BATCH}: one intent load after a batch proves every header of it whole (the intent only
     * grows), so the walk outruns a publisher of small messages. A walk the publisher overtakes starts again from the
     * oldest record, at most {@value #JUMP_TRIES} times; {@code false} if it never got through (then the caller
     * resumes at the oldest record).
     */
    private boolean jumpAhead() {
        for (int tries = 0; tries < JUMP_TRIES; tries++) {
            long t = tail();
            long p = (long) LONG.getAcquire(segment, (long) OLDEST_OFFSET);
            if (t - p <= 0 || t - p > capacity) {
                continue; // nothing to walk, or a publisher between its stores
            }
            long unchecked = p; // the first header read but not yet proven whole
            for (int read = 1;; read++) {
                long at = p & mask;
                int length = (int) INT.get(ring, at + LENGTH_OFFSET);
                int type = (int) INT.get(ring, at + TYPE_OFFSET);
                long seq = (long) LONG.get(ring, at + SEQUENCE_OFFSET);
                long space = recordSpace(p, at, length, type, t);
                boolean there = space > 0 && p + space - t >= 0; // the newest record
                // the first header right away: it lies where the publisher writes next, and a walk overtaken there
                // is better started again at once than after a batch
                if (space < 0 || there || read == 1 || read % WALK_BATCH == 0) {
                    VarHandle.acquireFence();
                    if (lapped(unchecked)) {
                        break; // overtaken: what we read may be torn; walk again from the new oldest
                    }
                    if (space < 0) {
                        checkRecord(p, at, length, type, t); // whole and malformed: throws
                    }
                    if (there) {
                        resumeAt(p, seq, t);
                        return true;
                    }
                    unchecked = p + space;
                }
                p += space;
            }
        }
        return false;
    }

    /** Resumes reading at the whole record {@code p} of sequence {@code seq}, counting what lies between as lost. */
    private void resumeAt(long p, long seq, long t) {
        if (seq - expected > 0) {
            lost += seq - expected;
        }
        expected = seq;
        cursor = p;
        tailCache = t;
    }

    /** The space of the record whose header was read at {@code position}, or -1 if no publisher writes it. */
    private long recordSpace(long position, long at, int length, int type, long tail) {
        if (type == PADDING_TYPE) {
            boolean ok = length >= HEADER_LENGTH && (length & (TopicRecordDescriptor.ALIGNMENT - 1)) == 0
                    && length <= capacity - at && length <= tail - position;
            return ok ? length : -1;
        }
        long space = TopicRecordDescriptor.align(length);
        boolean ok = type >= 1 && length >= HEADER_LENGTH && length - HEADER_LENGTH <= maxMessageLength
                && space <= capacity - at && space <= tail - position;
        return ok ? space : -1;
    }

    /** Checks a record header read at {@code position} and returns its space; throws for what no publisher writes. */
    private long checkRecord(long position, long at, int length, int type, long tail) {
        long space = recordSpace(position, at, length, type, tail);
        if (space >= 0) {
            return space;
        }
        if (type == PADDING_TYPE) {
            throw new TopicCorruptedException("record length", position, length, "padding must fill the ring's "
                    + "end: a multiple of 16 in [16, " + Math.min(capacity - at, tail - position) + "]");
        }
        if (type < 1) {
            throw new TopicCorruptedException("record type", position, type, "not a message type (>= 1) or padding (-1)");
        }
        throw new TopicCorruptedException("record length", position, length, "not in [16, "
                + (HEADER_LENGTH + maxMessageLength) + "] within the ring below the tail");
    }

    /** Counts one delivered message of sequence {@code seq} and what a gap before it lost. */
    private void count(long seq) {
        if (seq - expected > 0) {
            lost += seq - expected;
        }
        expected = seq + 1;
        received++;
    }

    /**
     * Publishes the cursor and the counts in the slot (release stores) if they moved; in BLOCK mode, then a full
     * fence and one look at the publisher's waiting flag, so a publisher that sleeps on a full ring is woken.
     */
    private void publishProgress() {
        long c = cursor;
        if (c == published) {
            return;
        }
        published = c;
        LONG.setRelease(segment, slotOffset + SLOT_RECEIVED_OFFSET, received);
        LONG.setRelease(segment, slotOffset + SLOT_LOST_OFFSET, lost);
        LONG.setRelease(segment, slotOffset + SLOT_CURSOR_OFFSET, c);
        if (block) {
            wakePublisherIfWaiting();
        }
    }

    /** The subscribers' half of the publisher's wake protocol: fence, then wake only if it announced a sleep. */
    private void wakePublisherIfWaiting() {
        VarHandle.fullFence();
        if ((int) INT.getVolatile(segment, (long) PUBLISHER_WAITING_OFFSET) != 0
                && (boolean) INT.compareAndSet(segment, (long) PUBLISHER_WAITING_OFFSET, 1, 0)) {
            int unused = (int) INT.getAndAdd(segment, (long) PUBLISHER_WAKE_OFFSET, 1);
            if (topic.futexCapable) {
                Futex.wake(publisherWake, 1);
            }
        }
    }

    private long tail() {
        return (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
    }

    // ---- waiting ---------------------------------------------------------------------------------------------------

    /**
     * Sets the strategy the waiting calls use ({@link WaitStrategy#hybrid()} by default); returns this.
     *
     * @param strategy how {@code poll} with a timeout and {@code take} wait
     * @return this subscriber
     */
    public TopicSubscriber waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    /**
     * {@link #poll(MessageHandler, int)} that waits up to {@code timeout} for the first message.
     *
     * @param timeout how long to wait; {@code null} waits as long as it takes
     * @param limit the most messages to hand over
     * @param handler called once per message, in order, with a slice valid only during the call
     * @return the number of messages handed over; {@code 0} if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public int poll(MessageHandler handler, int limit, Duration timeout) throws InterruptedException {
        long timeoutNanos = WaitStrategy.timeoutNanos(timeout);
        int n = poll(handler, limit);
        if (n > 0 || timeoutNanos == 0) {
            return n;
        }
        long deadline = timeoutNanos == WaitStrategy.FOREVER ? WaitStrategy.FOREVER : System.nanoTime() + timeoutNanos;
        try {
            n = awaitAndPoll(handler, limit, deadline);
            return n;
        } finally {
            jfrWait.end(topic.label, n > 0); // a jipc.ChannelWait if the wait slept
        }
    }

    private int awaitAndPoll(MessageHandler handler, int limit, long deadline) throws InterruptedException {
        for (;;) {
            long left = deadline == WaitStrategy.FOREVER ? WaitStrategy.FOREVER : deadline - System.nanoTime();
            if (left <= 0 || !waitStrategy.await(messageWaitable, left)) {
                return poll(handler, limit);
            }
            int n = poll(handler, limit);
            if (n > 0) {
                return n;
            }
        }
    }

    /**
     * Waits as long as it takes for one message and hands it to {@code handler}.
     *
     * @param handler called once with the message, a slice valid only during the call
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public void take(MessageHandler handler) throws InterruptedException {
        while (poll(handler, 1, null) == 0) {
            // only padding, or a lapped record: wait again
        }
    }

    /**
     * Whether a record is published beyond this subscriber's cursor: one acquire load.
     *
     * @return {@code true} if a message (or padding) is there to read
     */
    public boolean hasMessage() {
        return tail() != cursor;
    }

    private Waitable messageWaitable() {
        return new Waitable() {
            @Override
            public boolean isReady() {
                return hasMessage();
            }

            @Override
            public boolean sleep(long maxNanos) {
                if (!topic.futexCapable) {
                    LockSupport.parkNanos(Math.min(maxNanos, 1_000_000L));
                    return hasMessage();
                }
                // the wake word before the bit: a publish after the re-check makes FUTEX_WAIT return at once
                int seen = (int) INT.getVolatile(segment, (long) SUBSCRIBER_WAKE_OFFSET);
                long unused = (long) LONG.getAndBitwiseOr(segment, (long) SLEEPING_OFFSET, bit); // a full fence
                try {
                    if (hasMessage()) {
                        return true;
                    }
                    jfrWait.sleeping();
                    FutexWaiters.await(subscriberWake, seen, maxNanos);
                    return hasMessage();
                } finally {
                    topic.clearSleeping(bit);
                }
            }
        };
    }

    // ---- state -----------------------------------------------------------------------------------------------------

    /**
     * Messages handed to handlers so far.
     *
     * @return the count since this subscriber joined
     */
    public long receivedMessages() {
        return received;
    }

    /**
     * Messages this subscriber lost to overwriting (OVERWRITE; always 0 in BLOCK mode).
     *
     * @return the count since this subscriber joined
     */
    public long lostMessages() {
        return lost;
    }

    /**
     * The sequence number of the next message this subscriber expects.
     *
     * @return the sequence number, counted from 0 at the topic's creation
     */
    public long expectedSequence() {
        return expected;
    }

    /**
     * The position of the next record this subscriber reads.
     *
     * @return the cursor, a byte position since the topic's creation
     */
    public long position() {
        return cursor;
    }

    /**
     * Bytes published that this subscriber has not read yet (a snapshot).
     *
     * @return the tail minus this subscriber's position, in bytes
     */
    public long lag() {
        return Math.max(0, tail() - cursor);
    }

    /**
     * The slot this subscriber holds, 0..63.
     *
     * @return the slot index, 0 to 63
     */
    public int slot() {
        return slot;
    }

    /**
     * The topic this subscriber reads.
     *
     * @return the topic
     */
    public Topic topic() {
        return topic;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the subscriber of " + topic.label + " is closed");
        }
    }

    /** Frees the slot (the publisher stops waiting for this subscriber). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                topic.checkMapped();
                LONG.setRelease(segment, slotOffset + SLOT_CURSOR_OFFSET, TopicDescriptor.CURSOR_JOINING);
                topic.clearSleeping(bit);
                boolean unused = (boolean) LONG.compareAndSet(segment, slotOffset + SLOT_PARTY_OFFSET, party.id(), 0L);
                if (block) {
                    wakePublisherIfWaiting(); // it may wait for this subscriber: let it look again
                }
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                // the mapping is gone or truncated: the slot dies with this process's token
            } finally {
                party.close();
            }
        }
    }

    @Override
    public String toString() {
        return "TopicSubscriber[" + topic.label + ", slot " + slot + ", position=" + cursor + ", received=" + received
                + ", lost=" + lost + (closed.get() ? ", closed]" : "]");
    }
}
