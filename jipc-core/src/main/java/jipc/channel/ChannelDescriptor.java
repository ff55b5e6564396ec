package jipc.channel;

/**
 * The byte layout of a channel's shared segment: a 4096-byte header followed by the data ring.
 *
 * <pre>
 *   0        8        12       16                24       28       32
 *   +--------+--------+--------+-----------------+--------+--------+------------------------------+
 *   | magic "JIPCCHN1"| version| flags           | capacity (long) | maxMsg | hdrLen | (zero) ... 128
 *   +-----------------+--------+-----------------+-----------------+--------+--------+------------------------------+
 *   128  tail position (long): bytes ever committed; written by the producer(s)        own 128-byte block
 *   256  head position (long): bytes ever consumed; written by the consumer            own 128-byte block
 *   384  consumer wake word (int) + consumer waiting flag (int)                         own 128-byte block
 *   512  producer wake word (int) + producers waiting count (int)                       own 128-byte block
 *   640  consumer identity: pid (int), 0 (int), start time in clock ticks (long)        own 128-byte block
 *   768  producer slots, 64 bytes each, up to 4096                                      (many-producer channel)
 *  4096  data: capacity bytes, capacity a power of two; records at 8-byte boundaries
 * </pre>
 *
 * All fields are little-endian (x86-64). Positions only grow (64-bit, they do not wrap in practice); a position's
 * place in the ring is {@code position & (capacity - 1)}. Counters that different processes write sit in their own
 * 128-byte blocks so that neither they nor the adjacent-line prefetcher make two cores fight over one cache line.
 * The same numbers are in {@code docs/channel-format.md}.
 */
public final class ChannelDescriptor {
    private ChannelDescriptor() {
    }

    /** "JIPCCHN1" read as a little-endian long. */
    public static final long MAGIC = 0x314E48434350494AL;
    public static final int LAYOUT_VERSION = 1;
    /** flags bit 0: the channel accepts several producers. */
    public static final int FLAG_MANY_PRODUCERS = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int FLAGS_OFFSET = 12;
    public static final int CAPACITY_OFFSET = 16;
    public static final int MAX_MESSAGE_LENGTH_OFFSET = 24;
    public static final int HEADER_LENGTH_OFFSET = 28;

    public static final int TAIL_OFFSET = 128;
    public static final int HEAD_OFFSET = 256;
    public static final int CONSUMER_WAKE_OFFSET = 384;
    public static final int CONSUMER_WAITING_OFFSET = 388;
    public static final int PRODUCER_WAKE_OFFSET = 512;
    public static final int PRODUCERS_WAITING_OFFSET = 516;
    public static final int CONSUMER_PID_OFFSET = 640;
    public static final int CONSUMER_START_TIME_OFFSET = 648;
    public static final int PRODUCER_SLOTS_OFFSET = 768;
    public static final int PRODUCER_SLOT_LENGTH = 64;

    /** Where the data ring starts: one page, so the ring is page-aligned in a page-aligned mapping. */
    public static final int HEADER_LENGTH = 4096;
    public static final int MAX_PRODUCER_SLOTS = (HEADER_LENGTH - PRODUCER_SLOTS_OFFSET) / PRODUCER_SLOT_LENGTH;

    /** The smallest ring accepted. */
    public static final int MIN_CAPACITY = 1024;

    /** The segment size a channel with {@code capacity} data bytes needs. */
    public static long segmentSize(long capacity) {
        checkCapacity(capacity);
        return HEADER_LENGTH + capacity;
    }

    /** The largest message a ring of {@code capacity} bytes takes: an eighth of it, so a full-size one always fits. */
    public static int defaultMaxMessageLength(long capacity) {
        checkCapacity(capacity);
        return (int) Math.min(capacity / 8 - RecordDescriptor.HEADER_LENGTH, Integer.MAX_VALUE - 64);
    }

    /** @throws IllegalArgumentException unless {@code capacity} is a power of two of at least {@link #MIN_CAPACITY} */
    public static void checkCapacity(long capacity) {
        if (capacity < MIN_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " is not a power of two >= " + MIN_CAPACITY);
        }
    }
}
