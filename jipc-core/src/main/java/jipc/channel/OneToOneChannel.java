package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

import jipc.live.Liveness;
import jipc.live.LivenessToken;
import jipc.live.Party;
import jipc.live.PartyState;
import jipc.live.Role;

import static jipc.channel.ChannelDescriptor.HEAD_OFFSET;
import static jipc.channel.ChannelDescriptor.PRODUCER_PARTY_OFFSET;
import static jipc.channel.ChannelDescriptor.PRODUCER_PID_NAMESPACE_OFFSET;
import static jipc.channel.ChannelDescriptor.PRODUCER_PID_OFFSET;
import static jipc.channel.ChannelDescriptor.TAIL_OFFSET;
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
 * the payload to the handler and publishes the new head with a release store; the producer reads the head with an
 * acquire load only when its cached copy says the ring might be full. The consumer leaves consumed records as they
 * are (it never writes to the ring): before publishing a record the producer zeroes the length word after it, which
 * is all the consumer will read there, and keeps that word free by never filling the last 8 bytes of the ring. So a
 * message crosses the cores once, not a second time for zeroing (at 4 KiB a round trip takes about 0.6 of the time it
 * took when consumers zeroed).
 *
 * <p>A full ring is a return value ({@code false}/{@code null}), never an exception. The non-blocking calls
 * ({@link #offer}, {@link #tryClaim}, {@link #poll(MessageHandler, int)}) never block and make a system call only to
 * wake the other side when it sleeps: a {@code commit} issues one {@code FUTEX_WAKE} only if the consumer has
 * announced that it sleeps, a {@code poll} that frees room issues one only if a producer sleeps on a full ring (see
 * {@link ChannelDescriptor} for the protocol). The blocking calls ({@link #poll(MessageHandler, int, Duration)},
 * {@link #put(int, MemorySegment, Duration)}, {@link #claim(int, int, Duration)}) wait with this side's
 * {@link WaitStrategy} ({@link WaitStrategy#hybrid()} unless {@link #waitStrategy(WaitStrategy) set}).
 *
 * <p>Crash safety: a message becomes visible only when its length is published, so a producer killed between
 * {@link #tryClaim} and {@link #commit} leaves nothing the consumer would read; every commit also zeroes the length
 * word after its record, so neither an old record nor the bytes a dead producer wrote into free space are mistaken
 * for a new record. A new
 * producer (a new instance attached to the same segment) starts after the last published record. The consumer's
 * role ({@link #registerConsumer()}) lets producers ask {@link #isConsumerAlive()}. Both ends are exclusive roles
 * held in the header: a second consumer, or a second producer ({@link #attachProducer()}, or the first claim), is
 * refused with {@link jipc.live.RoleTakenException} while the first lives.
 *
 * <p>Instances are not thread-safe: one thread produces through one instance, one thread consumes through one
 * (possibly another process's) instance. Only one producer holds the producer role at a time; for several, create a
 * {@link ManyToOneChannel} (the two kinds refuse to attach to each other's channels: flag bit 0 of the header).
 */
public final class OneToOneChannel extends RingChannel implements MessageChannel {
    // producer-local
    /** This instance's party while it holds the producer role (taken on the first claim). */
    private Party producerParty;
    private boolean producerReady;
    /** The tail this producer published last (it alone moves it while it holds the role): claims read no shared word. */
    private long producerTail;
    /** A flag, not a sentinel tail: positions come from shared memory, and a forged one may be negative. */
    private boolean claimOpen;
    private long claimTail;
    private long claimIndex;
    private long claimPadding;
    private long claimSpace;
    private int claimLength;
    private int claimType;

    private OneToOneChannel(MemorySegment segment) {
        super(segment);
    }

    /**
     * Writes a new, empty channel header into {@code segment}, which must be zero (as new shared memory is) and at
     * least {@link ChannelDescriptor#segmentSize(long)} bytes. The magic is written last, with a release store, so a
     * process that attaches early sees either no channel or a complete header.
     *
     * @param capacity         the ring's size in bytes: a power of two of at least 1024
     * @param maxMessageLength the largest payload accepted, at most {@code capacity / 8 - 8}
     * @param segment zeroed memory of at least {@link ChannelDescriptor#segmentSize(long)} bytes, 8-byte aligned
     * @return the channel over {@code segment}, with no producer or consumer role taken yet
     */
    public static OneToOneChannel create(MemorySegment segment, long capacity, int maxMessageLength) {
        return create(segment, capacity, maxMessageLength, standardToken());
    }

    static OneToOneChannel create(MemorySegment segment, long capacity, int maxMessageLength, LivenessToken token) {
        writeHeader(segment, capacity, maxMessageLength, 0, token);
        OneToOneChannel channel = new OneToOneChannel(segment);
        channel.useToken(token);
        return channel;
    }

    /**
     * Attaches to a channel that {@link #create} wrote, checking its header; writes nothing.
     *
     * @param segment the mapped channel: header and ring
     * @return a new instance over {@code segment}, holding no role yet
     * @throws ChannelFormatException if the header is not one this code understands (named field, both values), or
     *                                the channel was created for several producers (use {@link ManyToOneChannel})
     */
    public static OneToOneChannel attach(MemorySegment segment) throws ChannelFormatException {
        int flags = checkHeader(segment);
        if ((flags & ChannelDescriptor.FLAG_MANY_PRODUCERS) != 0) {
            throw new ChannelFormatException("flags=0x" + Integer.toHexString(flags)
                    + ": a many-producer channel, attach with ManyToOneChannel.attach");
        }
        return new OneToOneChannel(segment);
    }

    // ---- producer ----------------------------------------------------------------------------------------------

    /**
     * Reserves room for one message of {@code length} bytes and returns the writable slice of the ring where its
     * payload goes (zero-copy). Nothing is visible to the consumer until {@link #commit()}; {@link #abort()} gives
     * the room back. One claim at a time.
     *
     * @return the payload slice, or {@code null} if the ring has no room now
     * @throws IllegalStateException if a claim is already open
     */
    @Override
    public MemorySegment tryClaim(int type, int length) {
        return super.tryClaim(type, length);
    }

    @Override
    long claimIndex(int type, int length) {
        if (type < 1 || length < 0 || length > maxMessageLength || claimOpen || !producerReady) {
            return firstOrInvalidClaim(type, length);
        }
        long tail = producerTail; // only this producer moves the tail: no load of the shared word
        long space = RecordDescriptor.recordSpace(length);
        long index = tail & mask;
        long required = required(tail, space);
        long padding = required - space;
        if (!hasRoom(tail, required)) { // keeps the next record's length word free: see hasRoom
            return -1;
        }
        // Below NATIVE_COPY_THRESHOLD (the JDK's forward vector copy), zero the length word after this record (free
        // space: hasRoom reserved it) now, before the payload is written; else commit zeroes it. The consumer does
        // not zero consumed records, so that word may hold an old record's length, or bytes a producer that died
        // mid-claim wrote; the consumer, arriving at the record's end, must read 0 there; the release in commit
        // publishes the record after it. Zeroed first (Agrona's order), the record's last line, which the
        // consumer's drain read fetches next, is asked for before the copy, which made a 4 KiB spin round trip about
        // a fifth faster; with memcpy (rep movsb) it cost about 5 % at 16 and 64 KiB (docs/benchmarks.md, "The 4 KiB
        // spin round trip").
        if (length < NATIVE_COPY_THRESHOLD) {
            ring.set(ValueLayout.JAVA_INT, ((tail + required) & mask) + LENGTH_OFFSET, 0);
        }
        claimTail = tail;
        claimOpen = true;
        claimIndex = padding == 0 ? index : 0;
        claimPadding = padding;
        claimSpace = required;
        claimLength = length;
        claimType = type;
        return claimIndex + RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * Copies one message into the ring; see {@link RingChannel#offer(int, MemorySegment)}. A message under 8 KiB that
     * ends before the ring's end is claimed, copied and published in this one method, with the claim in locals
     * ({@link #directIndex}, {@link #publishDirect}): no claim fields written and read back, one store for the
     * record's header. Anything else (the first message, a wrap, a large or invalid one) goes the general way.
     */
    @Override
    public boolean offer(int type, MemorySegment payload) {
        long length = Objects.requireNonNull(payload, "payload").byteSize();
        long index = directIndex(type, length);
        if (index == NOT_DIRECT) {
            return super.offer(type, payload);
        }
        if (index < 0) {
            return false;
        }
        copyIn(payload, index + RecordDescriptor.HEADER_LENGTH, length);
        publishDirect(index, type, (int) length);
        return true;
    }

    /** {@link #directIndex}: the message cannot take the direct path; the general one decides. */
    private static final long NOT_DIRECT = Long.MIN_VALUE;

    /**
     * The direct path's claim: the ring index of the record for a message of {@code length} bytes, {@code -1} if the
     * ring has no room now, or {@link #NOT_DIRECT} for what the general path handles (an invalid argument, an open
     * claim, the first claim, 8 KiB or more, a record that would cross the ring's end). Zeroes the length word after
     * the record, as {@link #claimIndex} does, and leaves the claim's fields alone: {@link #publishDirect} takes the
     * record from the index and this producer's tail.
     */
    private long directIndex(int type, long length) {
        if (type < 1 || length < 0 || length >= NATIVE_COPY_THRESHOLD || length > maxMessageLength || claimOpen
                || !producerReady) {
            return NOT_DIRECT;
        }
        long tail = producerTail;
        long index = tail & mask;
        long space = RecordDescriptor.recordSpace((int) length);
        if (space > capacity - index) {
            return NOT_DIRECT; // the record would cross the end: padding first, the general path writes it
        }
        if (!hasRoom(tail, space)) {
            return -1;
        }
        // the length word after the record, free space hasRoom reserved: see claimIndex
        ring.set(ValueLayout.JAVA_INT, ((tail + space) & mask) + LENGTH_OFFSET, 0);
        return index;
    }

    /**
     * Publishes the record {@link #directIndex} claimed at {@code index} once its payload is written: length and
     * type in one 64-bit release store of the header (the bytes {@link #commit()} writes with two stores, here
     * visible together), then the tail, then the wake-up check.
     */
    private void publishDirect(long index, int type, int length) {
        LONG.setRelease(ring, index + LENGTH_OFFSET,
                RecordDescriptor.header(RecordDescriptor.HEADER_LENGTH + length, type));
        long next = producerTail + RecordDescriptor.recordSpace(length);
        LONG.setRelease(segment, (long) TAIL_OFFSET, next);
        producerTail = next;
        wakeConsumerAfterCommit();
    }

    /**
     * {@link #claimIndex}'s rare cases, kept out of its body so the JIT inlines the common one into every offer:
     * an invalid argument or an open claim (thrown), or the first claim of this instance (takes the producer role).
     */
    private long firstOrInvalidClaim(int type, int length) {
        checkClaim(type, length, claimOpen, claimTail);
        attachProducer();
        return claimIndex(type, length);
    }

    /**
     * Takes the producer role now rather than on the first claim: one compare-and-set of the producer party word
     * (header offset 64), from 0 or from a producer that is certainly dead (by its liveness token); then finds where
     * the last producer stopped. Idempotent for this instance; {@link #detachProducer()} gives the role back.
     *
     * @throws jipc.live.RoleTakenException if another producer holds the role and is alive (or cannot be judged)
     * @return this
     */
    public OneToOneChannel attachProducer() {
        if (producerParty != null) {
            return this;
        }
        checkMapped();
        Party party = token().newParty();
        try {
            long previous = Role.take(segment, PRODUCER_PARTY_OFFSET, party, "the producer of " + label,
                    holder -> Liveness.describe((int) INT.getAcquire(segment, (long) PRODUCER_PID_OFFSET),
                            (long) LONG.getAcquire(segment, (long) PRODUCER_PID_NAMESPACE_OFFSET)));
            INT.setRelease(segment, (long) PRODUCER_PID_OFFSET, Liveness.selfPid());
            LONG.setRelease(segment, (long) PRODUCER_PID_NAMESPACE_OFFSET, Liveness.selfPidNamespace());
            if (previous != 0) {
                clearWaitingBit(ChannelDescriptor.ONE_PRODUCER_WAITING_BIT); // it may have died asleep
            }
            recoverTail();
        } catch (RuntimeException e) {
            Role.giveBack(segment, PRODUCER_PARTY_OFFSET, party);
            party.close();
            throw e;
        }
        producerParty = party;
        return this;
    }

    /** Aborts an open claim and gives the producer role back (idempotent); {@link SharedChannel#close()} calls it. */
    public void detachProducer() {
        Party party = producerParty;
        if (party == null) {
            return;
        }
        if (claimOpen) {
            abort();
        }
        producerParty = null;
        producerReady = false;
        try {
            checkMapped();
            endBatch(); // a batch's deferred wake-up check, before the role goes
            Role.giveBack(segment, PRODUCER_PARTY_OFFSET, party);
        } finally {
            party.close();
        }
    }

    /**
     * The verdict on the producer role's holder (see {@link #consumerState()}); none before the first claim.
     *
     * @return the verdict by the producer's liveness token, with its reason
     */
    public PartyState producerState() {
        return Liveness.check(Role.holder(segment, PRODUCER_PARTY_OFFSET));
    }

    /**
     * The producer's pid as it recorded it (display only), 0 if no producer holds the role.
     *
     * @return the pid in the producer's own pid namespace, or {@code 0}
     */
    public int producerPid() {
        return Role.holder(segment, PRODUCER_PARTY_OFFSET) == 0 ? 0
                : (int) INT.getAcquire(segment, (long) PRODUCER_PID_OFFSET);
    }

    @Override
    long waitingBit() {
        return ChannelDescriptor.ONE_PRODUCER_WAITING_BIT;
    }

    @Override
    void clearDeadWaiters(long waiting) {
        if ((waiting & ChannelDescriptor.ONE_PRODUCER_WAITING_BIT) != 0
                && !Liveness.check(Role.holder(segment, PRODUCER_PARTY_OFFSET)).mayBeAlive()) {
            clearWaitingBit(ChannelDescriptor.ONE_PRODUCER_WAITING_BIT);
        }
    }

    /**
     * Makes this instance's first claim start after the last record any earlier producer published, even one that
     * died after publishing a record's length but before moving the tail: follows published lengths from the tail
     * (or the head, if the consumer already got further) up to the first zero length word.
     */
    private void recoverTail() {
        long head = (long) LONG.getAcquire(segment, (long) HEAD_OFFSET);
        long tail = (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
        if (tail > head && Long.compareUnsigned(tail - head, capacity) > 0) {
            // forged positions (the unsigned compare also catches a difference that overflows): a walk from there
            // would not end within one ring
            throw new ChannelCorruptedException(ChannelCorruptedException.POSITIONS, head, tail,
                    "tail more than capacity " + capacity + " ahead of head " + head);
        }
        long end = Math.max(head, tail);
        while (end - head < capacity) {
            long index = end & mask;
            int length = (int) INT.getAcquire(ring, index + LENGTH_OFFSET);
            if (length == 0) {
                break;
            }
            if (length < RecordDescriptor.HEADER_LENGTH || RecordDescriptor.align(length) > capacity - index) {
                throw new ChannelCorruptedException(ChannelCorruptedException.RECORD_LENGTH, end, length,
                        "not in [" + RecordDescriptor.HEADER_LENGTH + ", " + (capacity - index) + "]");
            }
            end += RecordDescriptor.align(length);
        }
        if (end != tail) {
            LONG.setRelease(segment, (long) TAIL_OFFSET, end);
        }
        headCache = head;
        producerTail = end;
        producerReady = true;
    }

    /**
     * Publishes the claimed message. The record's length is released before the padding in front of it (when the
     * message wrapped), so a consumer that reads the padding always finds the record complete behind it; and the
     * tail moves last. A producer that dies before this call leaves nothing visible.
     */
    @Override
    public void commit() {
        long tail = requireClaim();
        long next = tail + claimSpace;
        if (claimLength >= NATIVE_COPY_THRESHOLD) {
            // (shorter records: zeroed by claimIndex) the length word after this record, free space claimIndex
            // reserved: the consumer, arriving at "next", must read 0 there; the release below publishes the record
            ring.set(ValueLayout.JAVA_INT, (next & mask) + LENGTH_OFFSET, 0);
        }
        ring.set(ValueLayout.JAVA_INT, claimIndex + TYPE_OFFSET, claimType);
        INT.setRelease(ring, claimIndex + LENGTH_OFFSET, RecordDescriptor.HEADER_LENGTH + claimLength);
        if (claimPadding != 0) {
            long paddingIndex = tail & mask;
            ring.set(ValueLayout.JAVA_INT, paddingIndex + TYPE_OFFSET, PADDING_TYPE);
            INT.setRelease(ring, paddingIndex + LENGTH_OFFSET, (int) claimPadding);
        }
        LONG.setRelease(segment, (long) TAIL_OFFSET, next);
        producerTail = next;
        claimOpen = false;
        wakeConsumerAfterCommit();
    }

    /** Gives the claimed room back unpublished (the payload bytes written so far are ignored). */
    @Override
    public void abort() {
        requireClaim();
        claimOpen = false;
    }

    private long requireClaim() {
        if (!claimOpen) {
            throw new IllegalStateException("no open claim: call tryClaim first");
        }
        return claimTail;
    }

    // ---- settings and liveness -----------------------------------------------------------------------------------

    /** Sets how this instance's blocking calls wait (default {@link WaitStrategy#hybrid()}); returns this. */
    public OneToOneChannel waitStrategy(WaitStrategy strategy) {
        setWaitStrategy(strategy);
        return this;
    }

    /**
     * Takes the consumer role now rather than on the first poll: one compare-and-set of the consumer party word, from
     * 0 or from a consumer that is certainly dead (by its liveness token), so producers can tell whether it still runs
     * ({@link #isConsumerAlive()}) and no second consumer can start while it lives.
     *
     * @throws jipc.live.RoleTakenException if another consumer holds the role and is alive (or cannot be judged)
     * @return this
     */
    public OneToOneChannel registerConsumer() {
        takeConsumerRole();
        return this;
    }

    @Override
    public String toString() {
        return "OneToOneChannel[capacity=" + capacity + ", head=" + headPosition() + ", tail=" + tailPosition() + "]";
    }
}
