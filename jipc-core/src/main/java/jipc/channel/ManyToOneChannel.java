package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import jipc.internal.Jfr;
import jipc.live.Liveness;
import jipc.live.LivenessToken;
import jipc.live.Party;
import jipc.live.PartyState;

import static jipc.channel.ChannelDescriptor.MAX_PRODUCER_SLOTS;
import static jipc.channel.ChannelDescriptor.SLOT_CLAIM_OFFSET;
import static jipc.channel.ChannelDescriptor.SLOT_PARTY_OFFSET;
import static jipc.channel.ChannelDescriptor.SLOT_PID_NAMESPACE_OFFSET;
import static jipc.channel.ChannelDescriptor.SLOT_PID_OFFSET;
import static jipc.channel.ChannelDescriptor.TAIL_OFFSET;
import static jipc.channel.RecordDescriptor.LENGTH_OFFSET;
import static jipc.channel.RecordDescriptor.PADDING_TYPE;

/**
 * A ring of variable-length messages in a shared segment for several producers (threads or processes) and one
 * consumer: the same records, padding, consumer side and wake protocol as {@link OneToOneChannel}, with the tail
 * claimed by compare-and-set, and recovery of claims that dead producers left open.
 *
 * <p>Each producer instance holds one of the {@value ChannelDescriptor#MAX_PRODUCER_SLOTS} producer slots of the
 * header, taken on its first claim (a free slot, or one whose owner process is dead) and given back by
 * {@link #detachProducer()} (which {@link SharedChannel#close()} calls). In its slot a producer announces the tail it
 * is about to claim <em>before</em> its compare-and-set of the tail, and clears it after the commit. A claimed record
 * carries, until it is committed, a negative length and the slot's index as its type. So the consumer, finding at the
 * head a record that is not published, can tell whose it is: it waits while that producer's process lives (however
 * long: a stopped or slow process is alive), and turns the claim into padding once the process is certainly dead (its
 * liveness token is released: {@code jipc.live}, right across pid namespaces). It never decides by time or by pid. The consumer
 * notices a death within one sleep slice (at most 100 ms with the futex strategies), as a dead producer wakes nobody.
 *
 * <p>Costs: a claim is one volatile store in the slot, one compare-and-set of the shared tail (repeated under
 * contention) and two release stores of the header; a commit two release stores and the wake check. Taking a slot
 * judges the holders of occupied slots only when no slot is free. The consumer makes liveness checks (three system
 * calls on the holder's token file, at most once a millisecond per producer) only while the head is stalled.
 *
 * <p>Instances are not thread-safe: threads that produce use <em>one instance each</em> (each takes its own slot;
 * all slots of a process die with it; a thread done producing
 * calls {@link #detachProducer()}, or the slot stays taken while the process lives). A thread that stops
 * between {@link #tryClaim} and {@link #commit} in a process that goes on running stalls the consumer: call
 * {@link #abort()} on every path that does not commit. One consumer, as for {@link OneToOneChannel}.
 */
public final class ManyToOneChannel extends RingChannel implements MessageChannel {
    /**
     * Test hook: run after a successful claim's compare-and-set of the tail, before the record's header is written
     * (the window in which a dead producer leaves only zeros behind).
     */
    static volatile Runnable afterClaimBeforeHeader;

    /** How long a producer's "alive" verdict is reused while the consumer waits on its claim. */
    private static final long ALIVE_RECHECK_NANOS = 1_000_000L;
    /** The largest padding record: the largest 8-aligned int. */
    private static final int MAX_PADDING = Integer.MAX_VALUE & -RecordDescriptor.ALIGNMENT;

    // producer-local
    /** This instance's party while it holds a producer slot. */
    private Party party;
    private int slot = -1;
    private long slotOffset;
    /** A flag, not a sentinel tail: positions come from shared memory, and a forged one may be negative. */
    private boolean claimOpen;
    private long claimTail;
    private long claimIndex;
    private long claimSpace;
    private int claimLength;
    private int claimType;

    // consumer-local: the last "alive" verdict per slot
    private final long[] aliveIdentity = new long[MAX_PRODUCER_SLOTS];
    private final long[] aliveUntil = new long[MAX_PRODUCER_SLOTS];

    private ManyToOneChannel(MemorySegment segment) {
        super(segment);
    }

    /**
     * Writes a new, empty many-producer channel header ({@link ChannelDescriptor#FLAG_MANY_PRODUCERS}) into
     * {@code segment}, which must be zero and at least {@link ChannelDescriptor#segmentSize(long)} bytes; the magic
     * last, with a release store.
     *
     * @param capacity         the ring's size in bytes: a power of two of at least 1024
     * @param maxMessageLength the largest payload accepted, at most {@code capacity / 8 - 8}
     * @param segment zeroed memory of at least {@link ChannelDescriptor#segmentSize(long)} bytes, 8-byte aligned
     * @return the channel over {@code segment}, with no producer slot or consumer role taken yet
     */
    public static ManyToOneChannel create(MemorySegment segment, long capacity, int maxMessageLength) {
        return create(segment, capacity, maxMessageLength, standardToken());
    }

    static ManyToOneChannel create(MemorySegment segment, long capacity, int maxMessageLength, LivenessToken token) {
        writeHeader(segment, capacity, maxMessageLength, ChannelDescriptor.FLAG_MANY_PRODUCERS, token);
        ManyToOneChannel channel = new ManyToOneChannel(segment);
        channel.useToken(token);
        return channel;
    }

    /**
     * Attaches to a channel that {@link #create} wrote, checking its header; writes nothing (a producer slot is taken
     * on the first claim).
     *
     * @param segment the mapped channel: header and ring
     * @return a new instance over {@code segment}, holding no producer slot or consumer role yet
     * @throws ChannelFormatException if the header is not one this code understands, or the channel was created for
     *                                one producer (use {@link OneToOneChannel})
     */
    public static ManyToOneChannel attach(MemorySegment segment) throws ChannelFormatException {
        int flags = checkHeader(segment);
        if ((flags & ChannelDescriptor.FLAG_MANY_PRODUCERS) == 0) {
            throw new ChannelFormatException("flags=0x" + Integer.toHexString(flags)
                    + ": a one-producer channel, attach with OneToOneChannel.attach");
        }
        return new ManyToOneChannel(segment);
    }

    // ---- producer slot -------------------------------------------------------------------------------------------

    /**
     * The producer slot this instance holds, {@code -1} if none (before the first claim or after detaching).
     *
     * @return the slot index, from 0 to {@link ChannelDescriptor#MAX_PRODUCER_SLOTS} - 1, or {@code -1}
     */
    public int producerSlot() {
        return slot;
    }

    /**
     * Takes a producer slot now rather than on the first claim: a free one, or else one whose holder is certainly
     * dead by its liveness token (taken over with a compare-and-set of the party word, so two processes never take
     * the same dead slot). Returns the slot's index.
     *
     * @return the index of the slot this instance holds now
     * @throws IllegalStateException if every slot is held by a party that is alive or cannot be judged
     */
    public int attachProducer() {
        if (slot >= 0) {
            return slot;
        }
        checkMapped();
        Party self = token().newParty();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < MAX_PRODUCER_SLOTS; i++) {
                long offset = ChannelDescriptor.producerSlotOffset(i);
                long holder = (long) LONG.getAcquire(segment, offset + SLOT_PARTY_OFFSET);
                // first pass: free slots only; second: also slots of dead parties
                boolean takeable = holder == 0 || (pass == 1 && Liveness.check(holder).isDead());
                if (takeable && (boolean) LONG.compareAndSet(segment, offset + SLOT_PARTY_OFFSET, holder, self.id())) {
                    // Until this store a consumer may see the old claim position under our party and wait a
                    // moment; it never takes a claim of ours for a dead one.
                    LONG.setVolatile(segment, offset + SLOT_CLAIM_OFFSET, -1L);
                    if (holder != 0 && Jfr.PRESENT) {
                        Jfr.recovery("producer slot " + i + " of " + label, "taken over from a dead holder",
                                Liveness.describe((int) INT.getAcquire(segment, offset + SLOT_PID_OFFSET),
                                        (long) LONG.getAcquire(segment, offset + SLOT_PID_NAMESPACE_OFFSET)), holder);
                    }
                    INT.setRelease(segment, offset + SLOT_PID_OFFSET, Liveness.selfPid());
                    LONG.setRelease(segment, offset + SLOT_PID_NAMESPACE_OFFSET, Liveness.selfPidNamespace());
                    clearWaitingBit(1L << i); // a dead holder may have died asleep on a full ring
                    if (holder != 0) {
                        Liveness.removeDeadToken(holder);
                    }
                    party = self;
                    slot = i;
                    slotOffset = offset;
                    return i;
                }
            }
        }
        self.close();
        throw new IllegalStateException("all " + MAX_PRODUCER_SLOTS + " producer slots of " + label
                + " are held by live processes");
    }

    /** Aborts an open claim and frees this instance's producer slot (idempotent). */
    public void detachProducer() {
        if (slot < 0) {
            return;
        }
        if (claimOpen) {
            abort();
        }
        Party held = party;
        party = null;
        slot = -1;
        try {
            checkMapped();
            endBatch(); // a batch's deferred wake-up check, before the slot goes
            LONG.setRelease(segment, slotOffset + SLOT_CLAIM_OFFSET, -1L);
            boolean unused = (boolean) LONG.compareAndSet(segment, slotOffset + SLOT_PARTY_OFFSET, held.id(), 0L);
        } finally {
            held.close();
        }
    }

    @Override
    long waitingBit() {
        return 1L << slot;
    }

    @Override
    void clearDeadWaiters(long waiting) {
        for (int i = 0; i < MAX_PRODUCER_SLOTS; i++) {
            long bit = 1L << i;
            if ((waiting & bit) != 0) {
                long holder = (long) LONG.getAcquire(segment, ChannelDescriptor.producerSlotOffset(i)
                        + SLOT_PARTY_OFFSET);
                if (!Liveness.check(holder).mayBeAlive()) {
                    clearWaitingBit(bit);
                }
            }
        }
    }

    // ---- producer ------------------------------------------------------------------------------------------------

    /**
     * Reserves room for one message of {@code length} bytes (taking a producer slot first if this instance has none)
     * and returns the writable slice of the ring where its payload goes (zero-copy). The consumer waits at this
     * record until {@link #commit()} or {@link #abort()}; one claim at a time per instance.
     *
     * @return the payload slice, or {@code null} if the ring has no room now
     * @throws IllegalStateException if a claim is already open, or no producer slot is free
     */
    @Override
    public MemorySegment tryClaim(int type, int length) {
        return super.tryClaim(type, length);
    }

    @Override
    long claimIndex(int type, int length) {
        if (type < 1 || length < 0 || length > maxMessageLength || claimOpen || slot < 0) {
            return firstOrInvalidClaim(type, length);
        }
        long space = RecordDescriptor.recordSpace(length);
        long tail;
        long required;
        for (;;) {
            tail = (long) LONG.getVolatile(segment, (long) TAIL_OFFSET);
            required = required(tail, space);
            if (!hasRoom(tail, required)) {
                LONG.setRelease(segment, slotOffset + SLOT_CLAIM_OFFSET, -1L);
                return -1;
            }
            // Announce before claiming: a consumer that sees the tail moved by our CAS also sees this position,
            // and so waits for our header instead of taking the zeros behind it for a dead producer's.
            LONG.setVolatile(segment, slotOffset + SLOT_CLAIM_OFFSET, tail);
            if ((boolean) LONG.compareAndSet(segment, (long) TAIL_OFFSET, tail, tail + required)) {
                break;
            }
        }
        Runnable hook = afterClaimBeforeHeader;
        if (hook != null) {
            hook.run();
        }
        long index = tail & mask;
        long padding = required - space;
        if (padding != 0) {
            // The end of the ring is ours too: pad it at once, the consumer may cross it to our record at 0.
            LONG.setRelease(ring, index + LENGTH_OFFSET, RecordDescriptor.header((int) padding, PADDING_TYPE));
        }
        claimTail = tail;
        claimOpen = true;
        claimIndex = padding == 0 ? index : 0;
        claimSpace = space;
        claimLength = length;
        claimType = type;
        // "Claimed by slot N, not published": the consumer waits here while slot N's owner lives.
        LONG.setRelease(ring, claimIndex + LENGTH_OFFSET,
                RecordDescriptor.header(-(RecordDescriptor.HEADER_LENGTH + length), slot));
        return claimIndex + RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * {@link #claimIndex}'s rare cases, kept out of its body so the JIT inlines the common one into every offer:
     * an invalid argument or an open claim (thrown), or the first claim of this instance (takes a producer slot).
     */
    private long firstOrInvalidClaim(int type, int length) {
        checkClaim(type, length, claimOpen, claimTail);
        attachProducer();
        return claimIndex(type, length);
    }

    /**
     * Publishes the claimed message: its header (positive length and type in one 64-bit release store), then clears
     * the slot's claim position (release, after the header: a consumer that sees "not claiming" sees the record),
     * then wakes the consumer if it sleeps.
     */
    @Override
    public void commit() {
        requireClaim();
        publish(claimType, RecordDescriptor.HEADER_LENGTH + claimLength);
    }

    /** Turns the claimed record into padding, which the consumer skips, and wakes the consumer if it sleeps. */
    @Override
    public void abort() {
        requireClaim();
        publish(PADDING_TYPE, (int) claimSpace);
    }

    private void publish(int type, int length) {
        // Type and length in one release store: a consumer that read the claim's slot from the header never pairs
        // it with the published record's length, nor the real type with the claim's.
        LONG.setRelease(ring, claimIndex + LENGTH_OFFSET, RecordDescriptor.header(length, type));
        LONG.setRelease(segment, slotOffset + SLOT_CLAIM_OFFSET, -1L);
        claimOpen = false;
        wakeConsumerAfterCommit();
    }

    private void requireClaim() {
        if (!claimOpen) {
            throw new IllegalStateException("no open claim: call tryClaim first");
        }
    }

    // ---- consumer: claims of dead producers ----------------------------------------------------------------------

    @Override
    boolean resolveStall(long position, int length) {
        if (length < 0) {
            return resolveClaim(position, length);
        }
        return resolveHeaderless(position);
    }

    /**
     * A record claimed by the slot in its type field and not published: padding once the claimant is certainly
     * dead, else wait. The claimant is the slot's owner if that owner lives and is claiming at or before
     * {@code position}; a live owner that is not claiming (or claims later) has published its record by then, or
     * took over the slot of the dead claimant.
     */
    private boolean resolveClaim(long position, int length) {
        long index = position & mask;
        // Length and slot in one load: a commit replaces both in one store, so they belong together.
        long header = (long) LONG.getAcquire(ring, index + LENGTH_OFFSET);
        length = RecordDescriptor.headerLength(header);
        if (length >= 0) {
            return length > 0;
        }
        int slotIndex = RecordDescriptor.headerType(header);
        if (slotIndex < 0 || slotIndex >= MAX_PRODUCER_SLOTS) {
            throw new ChannelCorruptedException(ChannelCorruptedException.RECORD_TYPE, position, slotIndex,
                    "a claim (length " + length + ") by producer slot not in [0, " + MAX_PRODUCER_SLOTS + ")");
        }
        if (mayOwn(slotIndex, position)) {
            return false;
        }
        // Only if the header is still the claim: a commit publishes its header before it clears the claim
        // position, so a claimant seen "not claiming" has replaced it already (then the CAS fails, the record is
        // there).
        if ((boolean) LONG.compareAndSet(ring, index + LENGTH_OFFSET, header,
                RecordDescriptor.header(-length, PADDING_TYPE))) {
            Jfr.recovery("the record at " + position + " of " + label, "a dead producer's claim turned into padding",
                    "producer slot " + slotIndex, 0);
        }
        return (int) INT.getAcquire(ring, index + LENGTH_OFFSET) > 0;
    }

    /**
     * A zero length word below the tail: a claim whose header is not written yet. Reads the tail, then every slot:
     * a live producer claiming at or before {@code position} may own it, so wait. Otherwise every claim that starts
     * below both the tail and the lowest claim position of a live producer has its header written, or belongs to a
     * dead producer, which wrote nothing (its header would come first). So the zeros from {@code position} to the
     * first non-zero 8-aligned word, that bound, or the ring's end (whichever comes first) become one padding record.
     */
    private boolean resolveHeaderless(long position) {
        long tail = (long) LONG.getAcquire(segment, (long) TAIL_OFFSET);
        if (tail <= position) {
            return false;
        }
        long bound = tail;
        for (int i = 0; i < MAX_PRODUCER_SLOTS; i++) {
            long claim = liveClaim(i, tail);
            if (claim >= 0) {
                if (claim <= position) {
                    return false;
                }
                bound = Math.min(bound, claim);
            }
        }
        long index = position & mask;
        int now = (int) INT.getAcquire(ring, index + LENGTH_OFFSET);
        if (now != 0) {
            return now > 0 || resolveClaim(position, now);
        }
        long limit = Math.min(Math.min(bound - position, capacity - index), MAX_PADDING);
        long end = RecordDescriptor.ALIGNMENT;
        while (end < limit && (int) INT.getAcquire(ring, index + end + LENGTH_OFFSET) == 0) {
            end += RecordDescriptor.ALIGNMENT;
        }
        // From zero only: nobody else writes here (every claimant of these bytes is dead), but be sure.
        if ((boolean) LONG.compareAndSet(ring, index + LENGTH_OFFSET, 0L,
                RecordDescriptor.header((int) Math.min(end, limit), PADDING_TYPE))) {
            Jfr.recovery("the bytes at " + position + " of " + label, "a dead producer's unwritten claim turned "
                    + "into padding", "unknown producer", 0);
        }
        return (int) INT.getAcquire(ring, index + LENGTH_OFFSET) > 0;
    }

    /** Whether slot {@code i}'s owner lives and is claiming at or before {@code position}: it may own it. */
    private boolean mayOwn(int i, long position) {
        long claim = liveClaim(i, position + 1);
        return claim >= 0 && claim <= position;
    }

    /**
     * Slot {@code i}'s claim position if its owner is claiming below {@code below} and its process is alive, else
     * {@code -1}. Reads party, claim position, party again (a takeover in between: read again), so a claim
     * position is never paired with another holder; checks liveness only for a claim that matters.
     */
    private long liveClaim(int i, long below) {
        long offset = ChannelDescriptor.producerSlotOffset(i);
        for (;;) {
            long owner = (long) LONG.getAcquire(segment, offset + SLOT_PARTY_OFFSET);
            if (owner == 0) {
                return -1;
            }
            long claim = (long) LONG.getAcquire(segment, offset + SLOT_CLAIM_OFFSET);
            if ((long) LONG.getAcquire(segment, offset + SLOT_PARTY_OFFSET) != owner) {
                continue;
            }
            return claim != -1 && claim < below && isAlive(i, owner) ? claim : -1;
        }
    }

    /** Liveness of a slot's owner; an "alive" verdict is reused for a millisecond (a dead one is final anyway). */
    private boolean isAlive(int i, long owner) {
        long now = System.nanoTime();
        if (aliveIdentity[i] == owner && now - aliveUntil[i] < 0) {
            return true;
        }
        if (Liveness.check(owner).mayBeAlive()) {
            aliveIdentity[i] = owner;
            aliveUntil[i] = now + ALIVE_RECHECK_NANOS;
            return true;
        }
        aliveIdentity[i] = 0;
        return false;
    }

    // ---- settings and liveness -----------------------------------------------------------------------------------

    /** Sets how this instance's blocking calls wait (default {@link WaitStrategy#hybrid()}); returns this. */
    public ManyToOneChannel waitStrategy(WaitStrategy strategy) {
        setWaitStrategy(strategy);
        return this;
    }

    /**
     * Takes the consumer role now rather than on the first poll (see {@link OneToOneChannel#registerConsumer()}).
     *
     * @throws jipc.live.RoleTakenException if another consumer holds the role and is alive (or cannot be judged)
     * @return this
     */
    public ManyToOneChannel registerConsumer() {
        takeConsumerRole();
        return this;
    }

    @Override
    public String toString() {
        return "ManyToOneChannel[capacity=" + capacity + ", head=" + headPosition() + ", tail=" + tailPosition()
                + (slot >= 0 ? ", producer slot " + slot : "") + "]";
    }

    // ---- producer slots, as seen by anyone ------------------------------------------------------------------------

    /**
     * One held producer slot, as {@link #producers()} saw it.
     *
     * @param slot the slot's index
     * @param pid the holder's pid as it recorded it (in its own pid namespace; display only)
     * @param pidNamespace the inode of the holder's pid namespace, 0 if unknown (display only)
     * @param state the verdict on the holder, by its liveness token (never a timer, never {@code /proc})
     * @param claimPosition the ring position of the holder's open claim, or {@code -1} if it has none
     */
    public record Producer(int slot, int pid, long pidNamespace, PartyState state, long claimPosition) {
        /**
         * Whether the holder may still run (alive, or not to be judged from here).
         *
         * @return {@code true} unless the holder's liveness token says it is certainly dead
         */
        public boolean alive() {
            return state.mayBeAlive();
        }
    }

    /**
     * The held producer slots now (a snapshot, for monitoring such as {@code jipc channel stat}): acquire loads of
     * each slot's party and claim words and a liveness check per holder (three system calls on its token file).
     *
     * @return one entry per held slot, in slot order; empty if no producer holds one
     */
    public List<Producer> producers() {
        List<Producer> held = new ArrayList<>();
        for (int i = 0; i < MAX_PRODUCER_SLOTS; i++) {
            long offset = ChannelDescriptor.producerSlotOffset(i);
            long owner = (long) LONG.getAcquire(segment, offset + SLOT_PARTY_OFFSET);
            if (owner != 0) {
                long claim = (long) LONG.getAcquire(segment, offset + SLOT_CLAIM_OFFSET);
                held.add(new Producer(i, (int) INT.getAcquire(segment, offset + SLOT_PID_OFFSET),
                        (long) LONG.getAcquire(segment, offset + SLOT_PID_NAMESPACE_OFFSET), Liveness.check(owner),
                        claim < 0 ? -1 : claim));
            }
        }
        return List.copyOf(held);
    }
}
