package jipc.channel;

/**
 * The byte layout of a channel's shared segment: a 4096-byte header followed by the data ring.
 *
 * <pre>
 *   0        8        12       16                24       28       32
 *   +--------+--------+--------+-----------------+--------+--------+------------------------------+
 *   | magic "JIPCCHN1"| version| flags           | capacity (long) | maxMsg | hdrLen | creator party (long) ...
 *   +-----------------+--------+-----------------+-----------------+--------+--------+------------------------------+
 *    40   creator pid (int), 0 (int), 48 creator pid namespace inode (long)        display only
 *    64   producer party (long): the one-producer channel's producer, 0 = none     (one-producer channel)
 *    72   producer pid (int), 0 (int), 80 producer pid namespace inode (long)      display only
 *    88   (zero) ... 128
 *   128  tail position (long): bytes ever committed; written by the producer(s)        own 128-byte block
 *   256  head position (long): bytes ever consumed; written by the consumer            own 128-byte block
 *   384  consumer wake word (int) + consumer waiting flag (int, 0/1)                    own 128-byte block
 *   512  producer wake word (int), 0 (int), 520 producers waiting (long bit set)       own 128-byte block
 *   640  consumer party (long), 648 consumer pid (int), 0 (int)                         own 128-byte block
 *   656  pending head (long): the head the consumer is about to publish, written before it gives room back
 *   664  consumer pid namespace inode (long)                                            display only
 *   768  producer slots, 64 bytes each, 52 of them                                      (many-producer channel)
 *        slot i at 768 + 64 * i:
 *        +0   party (long): the holder's party id (jipc.live.LivenessDescriptor); 0 = free
 *        +8   claim position (long): the tail this producer read before its claim's CAS; -1 = not claiming
 *        +16  pid (int), 0 (int), +24 pid namespace inode (long)                        display only
 *        +32  (zero) ... 64
 *  4096  data: capacity bytes, capacity a power of two; records at 8-byte boundaries
 * </pre>
 *
 * All fields are little-endian (x86-64). Positions only grow (64-bit, they do not wrap in practice); a position's
 * place in the ring is {@code position & (capacity - 1)}. Counters that different processes write sit in their own
 * 128-byte blocks so that neither they nor the adjacent-line prefetcher make two cores fight over one cache line.
 * The same numbers are in {@code docs/channel-format.md}.
 *
 * <h2>Wake protocol (blocking without spinning)</h2>
 * A consumer that found nothing and wants to sleep:
 * <ol>
 * <li>{@code seen = wake word (384)}, sequentially consistent load;</li>
 * <li>{@code waiting flag (388) = 1}, then a full fence ({@code MFENCE}, or any atomic read-modify-write);</li>
 * <li>re-check the length word at the head (acquire load): non-zero means a record arrived, do not sleep;</li>
 * <li>{@code FUTEX_WAIT(&wake, seen, slice <= 100 ms)} (shared futex, not {@code FUTEX_PRIVATE_FLAG});</li>
 * <li>{@code waiting flag = 0}, re-check, go to 1 or return.</li>
 * </ol>
 * A producer, after publishing a record (release store of its length, then of the tail):
 * <ol>
 * <li>full fence (a release store may otherwise pass the following load);</li>
 * <li>if {@code waiting flag != 0} and {@code compareAndSet(waiting, 1, 0)} succeeds: atomic
 *     {@code wake word += 1}, then {@code FUTEX_WAKE(&wake, 1)}.</li>
 * </ol>
 * The two fences make this Dekker's pattern: either the consumer's re-check sees the record, or the producer's load
 * sees the flag. In the second case the increment makes the consumer's {@code FUTEX_WAIT} fail with {@code EAGAIN}
 * if it has not slept yet (the kernel compares the word and enqueues atomically), or the wake reaches it. A producer
 * makes no system call while the consumer is awake.
 *
 * <p>The mirror image for a producer blocked on a full ring: it loads {@code seen = producer wake word (512)},
 * atomically sets its bit in the producers-waiting set (520; bit i for producer slot i, bit 63 for the producer of a
 * one-producer channel; an atomic OR is a full fence), re-checks the head for room,
 * {@code FUTEX_WAIT(&producerWake, seen)}, and clears its bit afterwards. The consumer, after the release store of
 * the head, issues a full fence and, only if the set is non-zero, adds 1 to the producer wake word and
 * {@code FUTEX_WAKE(&producerWake, INT_MAX)}. A producer killed while waiting leaves its bit set; whoever takes its
 * slot or role over clears it, and so does the consumer when a wake-up woke nobody and the bit's holder is dead. A
 * consumer killed while waiting leaves its flag set: the next commit clears it with one needless wake call.
 *
 * <h2>Giving room back (and a consumer killed while doing it)</h2>
 * A consumer hands records to its handler without writing anything, then gives their room back: it stores the new
 * head into the pending head (656), then (many-producer channels only) zeroes the consumed bytes of the ring, then
 * publishes the head with a release store. A consumer killed before the pending store leaves the head where it was
 * (its successor receives that batch again: nothing lost); one killed after it leaves {@code head < pending head}:
 * the next consumer, when it registers, finishes the zeroing of {@code [head, pending head)} (many producers) and
 * publishes the pending head (those messages were handed out once).
 *
 * <p>Who keeps "length 0 = not written yet" true (layout version 2): with many producers, any 8-byte word of free
 * space may become a claimed record's header before its producer writes it, so the consumer zeroes all it consumed.
 * With one producer, the consumer writes nothing to the ring: before publishing a record the producer zeroes the
 * length word that follows it, the only word of free space the consumer reads next, and it never fills the last 8
 * bytes of free space, so that word is always free. (Version 1 had one-producer consumers zero too.)
 *
 * <h2>Liveness and exclusive ends</h2>
 * Each role is a 64-bit word holding the holder's party id ({@code jipc.live.LivenessDescriptor}): the consumer
 * (640), the producer of a one-producer channel (64), each producer slot (+0). A role is taken with one
 * compare-and-set, from 0 or from a holder whose liveness token says it is dead ({@code jipc.live.Role}), so two
 * takers never both win; a live holder, or one that cannot be judged, makes the second taker fail. The consumer role
 * is taken by {@code registerConsumer()} or the first poll, the producer role by {@code attachProducer()} or the
 * first claim. The pid and pid namespace beside each role word are for people only; no verdict reads them.
 */
public final class ChannelDescriptor {
    private ChannelDescriptor() {
    }

    /** "JIPCCHN1" read as a little-endian long. */
    public static final long MAGIC = 0x314E48434350494AL;
    /**
     * The header layout this code writes and the only one it attaches to (version 3: liveness parties in role words).
     */
    public static final int LAYOUT_VERSION = 3;
    /** flags bit 0: the channel accepts several producers. */
    public static final int FLAG_MANY_PRODUCERS = 1;

    /** The magic ({@link #MAGIC}, 8 bytes), written last at creation with a release store. */
    public static final int MAGIC_OFFSET = 0;
    /** The layout version (int, {@link #LAYOUT_VERSION}). */
    public static final int VERSION_OFFSET = 8;
    /** The flags (int): 0, or {@link #FLAG_MANY_PRODUCERS}. */
    public static final int FLAGS_OFFSET = 12;
    /** The ring's capacity in bytes (long, a power of two of at least {@link #MIN_CAPACITY}). */
    public static final int CAPACITY_OFFSET = 16;
    /** The largest payload in bytes (int, from 1 to capacity / 8 - 8). */
    public static final int MAX_MESSAGE_LENGTH_OFFSET = 24;
    /** The header's own length in bytes (int, always {@link #HEADER_LENGTH}). */
    public static final int HEADER_LENGTH_OFFSET = 28;
    /**
     * The creating process's party id ({@code jipc.live}: the party that stands for the whole process), written
     * before the magic; 0 = not recorded. Only {@code jipc clean} and {@code stat} read it: attaching ignores it.
     */
    public static final int CREATOR_PARTY_OFFSET = 32;
    /** The creator's pid (int) in its own pid namespace, for display. */
    public static final int CREATOR_PID_OFFSET = 40;
    /** The inode of the creator's pid namespace (long), for display. */
    public static final int CREATOR_PID_NAMESPACE_OFFSET = 48;
    /** The one-producer channel's producer role: the holder's party id, 0 = none. */
    public static final int PRODUCER_PARTY_OFFSET = 64;
    /** The one producer's pid (int) in its own pid namespace, for display. */
    public static final int PRODUCER_PID_OFFSET = 72;
    /** The inode of the one producer's pid namespace (long), for display. */
    public static final int PRODUCER_PID_NAMESPACE_OFFSET = 80;

    /** The tail position in bytes since creation (long, on its own 128-byte line): producers move it. */
    public static final int TAIL_OFFSET = 128;
    /**
     * The head position in bytes since creation (long, on its own 128-byte line): the consumer publishes it with a
     * release store.
     */
    public static final int HEAD_OFFSET = 256;
    /** The futex word (int) producers bump and wake when the consumer sleeps. */
    public static final int CONSUMER_WAKE_OFFSET = 384;
    /**
     * The consumer's announcement (int, 1 = it may sleep on {@link #CONSUMER_WAKE_OFFSET}), so producers wake it only
     * then.
     */
    public static final int CONSUMER_WAITING_OFFSET = 388;
    /** The futex word (int) the consumer bumps and wakes when a producer sleeps on a full ring. */
    public static final int PRODUCER_WAKE_OFFSET = 512;
    /** A 64-bit set: bit i = producer slot i waits on a full ring; bit 63 = the one producer waits. */
    public static final int PRODUCERS_WAITING_OFFSET = 520;
    /** The bit of {@link #PRODUCERS_WAITING_OFFSET} that the producer of a one-producer channel sets. */
    public static final long ONE_PRODUCER_WAITING_BIT = 1L << 63;
    /** The consumer role: the holder's party id, 0 = none. */
    public static final int CONSUMER_PARTY_OFFSET = 640;
    /** The consumer's pid (int) in its own pid namespace, for display. */
    public static final int CONSUMER_PID_OFFSET = 648;
    /** The inode of the consumer's pid namespace (long), for display. */
    public static final int CONSUMER_PID_NAMESPACE_OFFSET = 664;
    /** The head a consumer is about to publish; ahead of the head only while it gives consumed room back. */
    public static final int PENDING_HEAD_OFFSET = 656;
    /** Where the producer slots of a many-producer channel start. */
    public static final int PRODUCER_SLOTS_OFFSET = 768;
    /** The size of one producer slot in bytes. */
    public static final int PRODUCER_SLOT_LENGTH = 64;
    /** Within a producer slot: the holder's party id, 0 when the slot is free. */
    public static final int SLOT_PARTY_OFFSET = 0;
    /** Within a producer slot: the claim position, -1 when the owner is not claiming. */
    public static final int SLOT_CLAIM_OFFSET = 8;
    /** Within a producer slot: the holder's pid (int) and pid namespace inode (long), for display. */
    public static final int SLOT_PID_OFFSET = 16;
    /** Within a producer slot: the holder's pid namespace inode (long), for display. */
    public static final int SLOT_PID_NAMESPACE_OFFSET = 24;

    /** Where the data ring starts: one page, so the ring is page-aligned in a page-aligned mapping. */
    public static final int HEADER_LENGTH = 4096;
    /**
     * How many producer slots fit in the header (52): the most producer instances of a many-producer channel at once.
     */
    public static final int MAX_PRODUCER_SLOTS = (HEADER_LENGTH - PRODUCER_SLOTS_OFFSET) / PRODUCER_SLOT_LENGTH;

    /**
     * The offset of producer slot {@code index} from the start of the segment.
     *
     * @param index the slot's index, from 0 to {@link #MAX_PRODUCER_SLOTS} - 1
     * @return {@link #PRODUCER_SLOTS_OFFSET} + {@code index} * {@link #PRODUCER_SLOT_LENGTH}, in bytes
     */
    public static long producerSlotOffset(int index) {
        return PRODUCER_SLOTS_OFFSET + (long) PRODUCER_SLOT_LENGTH * index;
    }

    /** The smallest ring accepted. */
    public static final int MIN_CAPACITY = 1024;

    /**
     * The segment size a channel with {@code capacity} data bytes needs.
     *
     * @param capacity the ring's size in bytes: a power of two of at least {@link #MIN_CAPACITY}
     * @return {@link #HEADER_LENGTH} + {@code capacity}, in bytes
     */
    public static long segmentSize(long capacity) {
        checkCapacity(capacity);
        return HEADER_LENGTH + capacity;
    }

    /**
     * The largest message a ring of {@code capacity} bytes takes: an eighth of it, so a full-size one always fits.
     *
     * @param capacity the ring's size in bytes: a power of two of at least {@link #MIN_CAPACITY}
     * @return {@code capacity / 8} minus the 8-byte record header, in bytes
     */
    public static int defaultMaxMessageLength(long capacity) {
        checkCapacity(capacity);
        return (int) Math.min(capacity / 8 - RecordDescriptor.HEADER_LENGTH, Integer.MAX_VALUE - 64);
    }

    /**
     * Checks a ring size.
     *
     * @param capacity the ring size to check, in bytes
     * @throws IllegalArgumentException unless {@code capacity} is a power of two of at least {@link #MIN_CAPACITY}
     */
    public static void checkCapacity(long capacity) {
        if (capacity < MIN_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " is not a power of two >= " + MIN_CAPACITY);
        }
    }
}
