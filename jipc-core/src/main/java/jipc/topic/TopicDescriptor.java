package jipc.topic;

/**
 * The byte layout of a topic's shared segment: a 12288-byte header (fixed fields, then 64 subscriber slots) followed
 * by the ring. {@code docs/topic-format.md} has the same numbers and every step of the protocol.
 *
 * <pre>
 *   0        8        12       16                24       28       32
 *   +--------+--------+--------+-----------------+--------+--------+------------------------------+
 *   | magic "JIPCTOP1"| version| flags           | capacity (long) | maxMsg | hdrLen | creator party (long) ...
 *   +-----------------+--------+-----------------+-----------------+--------+--------+------------------------------+
 *    40   creator pid (int), 0, 48 creator pid namespace (long)                 display only
 *    56   slot count (int) = 64, 0
 *    64   publisher party (long): the publisher role, 0 = none
 *    72   publisher pid (int), 0, 80 publisher pid namespace (long)             display only
 *   128   tail (long), 136 intent (long), 144 oldest (long)   written by the publisher     own 128-byte block
 *   256   floor (long): BLOCK, nothing at or above it is overwritten                        own 128-byte block
 *   384   subscriber wake word (int), 0, 392 sleeping (long bit set, bit i = slot i)        own 128-byte block
 *   512   publisher wake word (int), 516 publisher waiting (int, 0/1)                        own 128-byte block
 *  4096   subscriber slots, 128 bytes each, 64 of them; slot i at 4096 + 128 * i:
 *         +0 party (long), +8 cursor (long, -1 while joining), +16 pid (int), 0, +24 pid namespace (long),
 *         +32 received (long), +40 lost (long), +48 (zero) ... 128
 * 12288   the ring: capacity bytes, a power of two; records at 16-byte boundaries (TopicRecordDescriptor)
 * </pre>
 *
 * All fields are little-endian; positions are 64-bit byte counters that only grow, their place in the ring is
 * {@code position & (capacity - 1)}. Fields that different processes write sit in their own 128-byte blocks; each
 * slot is a block of its own, so subscribers never share a line.
 *
 * <h2>Who publishes what</h2>
 * The publisher raises {@code intent} to the end of what it is about to write (then a store-store fence) before it
 * writes a byte of the ring, and moves {@code oldest} past the records it will overwrite before that; it writes the
 * record and the look-ahead header after it, then the tail with a release store. A BLOCK subscriber reads records
 * in place below the tail it loaded with acquire; an OVERWRITE subscriber copies a record out and re-reads the
 * intent after an acquire fence: if {@code intent - capacity > position} the copy may be torn and the subscriber
 * was lapped (a seqlock read). BLOCK subscribers join with the floor handshake (store cursor, fence, load floor;
 * the publisher: store floor, fence, scan cursors again), so the publisher never overwrites what a joined subscriber
 * has not read.
 */
public final class TopicDescriptor {
    private TopicDescriptor() {
    }

    /** "JIPCTOP1" read as a little-endian long. */
    public static final long MAGIC = 0x31504F544350494AL;
    /** The header layout this code writes and the only one it attaches to. */
    public static final int LAYOUT_VERSION = 1;
    /** flags bit 0: the OVERWRITE policy (clear: BLOCK). */
    public static final int FLAG_OVERWRITE = 1;

    /** The magic ({@link #MAGIC}, long), written last at creation with a release store. */
    public static final int MAGIC_OFFSET = 0;
    /** The layout version (int, {@link #LAYOUT_VERSION}). */
    public static final int VERSION_OFFSET = 8;
    /** The flags (int): 0 (BLOCK) or {@link #FLAG_OVERWRITE}. */
    public static final int FLAGS_OFFSET = 12;
    /** The ring's capacity in bytes (long, a power of two of at least {@link #MIN_CAPACITY}). */
    public static final int CAPACITY_OFFSET = 16;
    /** The largest payload in bytes (int). */
    public static final int MAX_MESSAGE_LENGTH_OFFSET = 24;
    /** The header's own length in bytes (int, always {@link #HEADER_LENGTH}). */
    public static final int HEADER_LENGTH_OFFSET = 28;
    /** The creator's process party id (long), 0 = not recorded; only tools read it. */
    public static final int CREATOR_PARTY_OFFSET = 32;
    /** The creator's pid (int) in its own pid namespace, for display. */
    public static final int CREATOR_PID_OFFSET = 40;
    /** The inode of the creator's pid namespace (long), for display. */
    public static final int CREATOR_PID_NAMESPACE_OFFSET = 48;
    /** The number of subscriber slots (int, always {@link #SLOT_COUNT}). */
    public static final int SLOT_COUNT_OFFSET = 56;
    /** The publisher role (long): the holder's party id, 0 = none. */
    public static final int PUBLISHER_PARTY_OFFSET = 64;
    /** The publisher's pid (int) in its own pid namespace, for display. */
    public static final int PUBLISHER_PID_OFFSET = 72;
    /** The inode of the publisher's pid namespace (long), for display. */
    public static final int PUBLISHER_PID_NAMESPACE_OFFSET = 80;

    /** The tail (long): the end of the published records, stored by the publisher with release. */
    public static final int TAIL_OFFSET = 128;
    /** The intent (long): the end of what the publisher is about to write, raised before it writes the ring. */
    public static final int INTENT_OFFSET = 136;
    /** The oldest (long): the position of the oldest record still whole in the ring. */
    public static final int OLDEST_OFFSET = 144;
    /** The floor (long, BLOCK): nothing at or above it is overwritten; it never goes down. */
    public static final int FLOOR_OFFSET = 256;
    /** The futex word (int) subscribers sleep on; the publisher bumps and wakes it when one sleeps. */
    public static final int SUBSCRIBER_WAKE_OFFSET = 384;
    /** The set of sleeping subscribers (long, bit i = slot i), so the publisher wakes only when one sleeps. */
    public static final int SLEEPING_OFFSET = 392;
    /** The futex word (int) a BLOCK publisher sleeps on while the ring is full. */
    public static final int PUBLISHER_WAKE_OFFSET = 512;
    /** Whether the publisher sleeps (int, 0 or 1), so subscribers wake it only then. */
    public static final int PUBLISHER_WAITING_OFFSET = 516;

    /** Where subscriber slot 0 starts. */
    public static final int SLOTS_OFFSET = 4096;
    /** The size of one subscriber slot in bytes: a 128-byte block of its own. */
    public static final int SLOT_LENGTH = 128;
    /** How many subscriber slots a topic has. */
    public static final int SLOT_COUNT = 64;
    /** Within a slot: the holder's party id (long), 0 = free. */
    public static final int SLOT_PARTY_OFFSET = 0;
    /**
     * Within a slot: the subscriber's cursor (long), the position it reads next; {@link #CURSOR_JOINING} while it
     * joins.
     */
    public static final int SLOT_CURSOR_OFFSET = 8;
    /** Within a slot: the holder's pid (int), for display. */
    public static final int SLOT_PID_OFFSET = 16;
    /** Within a slot: the inode of the holder's pid namespace (long), for display. */
    public static final int SLOT_PID_NAMESPACE_OFFSET = 24;
    /** Within a slot: messages received (long), for monitoring. */
    public static final int SLOT_RECEIVED_OFFSET = 32;
    /** Within a slot: messages lost to overwriting (long, OVERWRITE), for monitoring. */
    public static final int SLOT_LOST_OFFSET = 40;
    /** A slot's cursor while its subscriber chooses where to start: the publisher does not wait for it. */
    public static final long CURSOR_JOINING = -1;

    /** Where the ring starts: three pages, so the ring is page-aligned in a page-aligned mapping. */
    public static final int HEADER_LENGTH = SLOTS_OFFSET + SLOT_COUNT * SLOT_LENGTH;
    /** The smallest ring accepted. */
    public static final int MIN_CAPACITY = 1024;

    /**
     * The offset of subscriber slot {@code index} from the start of the segment.
     *
     * @param index the slot's index, 0 to {@link #SLOT_COUNT} - 1
     * @return {@link #SLOTS_OFFSET} + {@code index} * {@link #SLOT_LENGTH}, in bytes
     */
    public static long slotOffset(int index) {
        return SLOTS_OFFSET + (long) SLOT_LENGTH * index;
    }

    /**
     * The segment size a topic with {@code capacity} ring bytes needs.
     *
     * @param capacity the ring's size in bytes: a power of two of at least {@link #MIN_CAPACITY}
     * @return {@link #HEADER_LENGTH} + {@code capacity}, in bytes
     */
    public static long segmentSize(long capacity) {
        checkCapacity(capacity);
        return HEADER_LENGTH + capacity;
    }

    /**
     * The largest payload a ring of {@code capacity} bytes takes: an eighth of it less a record header.
     *
     * @param capacity the ring's size in bytes: a power of two of at least {@link #MIN_CAPACITY}
     * @return {@code capacity / 8} minus the 16-byte record header, in bytes
     */
    public static int maxMessageLengthLimit(long capacity) {
        checkCapacity(capacity);
        return (int) Math.min(capacity / 8 - TopicRecordDescriptor.HEADER_LENGTH, Integer.MAX_VALUE - 64);
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
