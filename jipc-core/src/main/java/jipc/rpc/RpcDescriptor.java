package jipc.rpc;

import jipc.channel.ChannelDescriptor;

/**
 * The byte layout of a request/response object: a 4096-byte RPC header, then one many-to-one channel image (the
 * requests of every client to the service) and one one-to-one channel image per client slot (the service's responses
 * to that slot), each exactly as {@code docs/channel-format.md} describes, at the page-aligned offsets the header names.
 *
 * <pre>
 *   0        8        12       16       20       24                 32                 40
 *   +--------+--------+--------+--------+--------+------------------+------------------+
 *   | magic "JIPCRPC1"| version| slots N| hdrLen | flags  | requestOffset    | requestCapacity  | ...
 *   +-----------------+--------+--------+--------+--------+------------------+------------------+
 *    40   responseOffset (long): where response channel 0 starts, a multiple of 4096
 *    48   responseStride (long): bytes from one response channel to the next, a multiple of 4096
 *    56   responseCapacity (long): each response channel's ring bytes
 *    64   totalSize (long): responseOffset + N * responseStride; the object is at least this big
 *    72   creator party (long), 80 creator pid (int), 0 (int), 88 creator pid namespace (long)   display only
 *    96   (zero) ... 128
 *   128   service party (long): the service role, 0 = no service                 own 128-byte block
 *   136   service pid (int), 140 service epoch (int): +1 by every service that takes the role
 *   144   service pid namespace (long)                                           display only
 *   152   (zero) ... 256
 *   256   client slots, 64 bytes each, N of them (N &lt;= 52)
 *         slot i at 256 + 64 * i:
 *         +0   party (long): the client holding the slot; 0 = free
 *         +8   generation (int): +1 by every client that takes the slot
 *         +12  pid (int), +16 pid namespace (long)                              display only
 *         +24  (zero) ... 64
 *  4096   request channel: a many-to-one channel image (layout 3), requestCapacity ring bytes
 *   R     response channel 0 (one-to-one image), R = responseOffset; channel i at R + i * responseStride
 *
 *  request payload  = slot (int) | flags (int, 0) | correlation id (long) | user bytes     (message type: the user's)
 *  response payload = correlation id (long) | status (int) | 0 (int) | user bytes
 *  correlation id   = (slot generation &lt;&lt; 32) | call counter (unsigned 32 bits)
 * </pre>
 *
 * All fields are little-endian, naturally aligned, accessed with single atomic loads and stores of their width; the
 * same numbers are in {@code docs/rpc-format.md} and {@code native/jipc_rpc.h}.
 */
public final class RpcDescriptor {
    private RpcDescriptor() {
    }

    /** "JIPCRPC1" as a little-endian long. */
    public static final long MAGIC = 0x314350524350494AL;
    /** The header layout this code writes and attaches to. */
    public static final int LAYOUT_VERSION = 1;

    /** The magic ({@link #MAGIC}, long), written last at creation with a release store. */
    public static final int MAGIC_OFFSET = 0;
    /** The layout version (int, {@link #LAYOUT_VERSION}). */
    public static final int VERSION_OFFSET = 8;
    /** The number of client slots N (int, 1 to {@link #MAX_CLIENT_SLOTS}). */
    public static final int CLIENT_SLOTS_OFFSET = 12;
    /** The header's own length (int, always {@link #HEADER_LENGTH}). */
    public static final int HEADER_LENGTH_OFFSET = 16;
    /** Flags (int), 0 in this layout. */
    public static final int FLAGS_OFFSET = 20;
    /** Where the request channel starts (long, always {@link #REQUEST_OFFSET}). */
    public static final int REQUEST_OFFSET_OFFSET = 24;
    /** The request ring's size in bytes (long). */
    public static final int REQUEST_CAPACITY_OFFSET = 32;
    /** Where response channel 0 starts (long, a multiple of {@link #PAGE}). */
    public static final int RESPONSE_OFFSET_OFFSET = 40;
    /** Bytes from one response channel to the next (long, a multiple of {@link #PAGE}). */
    public static final int RESPONSE_STRIDE_OFFSET = 48;
    /** Each response ring's size in bytes (long). */
    public static final int RESPONSE_CAPACITY_OFFSET = 56;
    /** The object's size in bytes (long): response offset plus N strides. */
    public static final int TOTAL_SIZE_OFFSET = 64;
    /** The creator's process party id (long), 0 = not recorded; only tools read it. */
    public static final int CREATOR_PARTY_OFFSET = 72;
    /** The creator's pid (int) in its own pid namespace, for display. */
    public static final int CREATOR_PID_OFFSET = 80;
    /** The inode of the creator's pid namespace (long), for display. */
    public static final int CREATOR_PID_NAMESPACE_OFFSET = 88;
    /** The service role (long): the holder's party id, 0 = no service; on its own 128-byte block. */
    public static final int SERVICE_PARTY_OFFSET = 128;
    /** The service's pid (int) in its own pid namespace, for display. */
    public static final int SERVICE_PID_OFFSET = 136;
    /** The service epoch (int): incremented by every service that takes the role. */
    public static final int SERVICE_EPOCH_OFFSET = 140;
    /** The inode of the service's pid namespace (long), for display. */
    public static final int SERVICE_PID_NAMESPACE_OFFSET = 144;
    /** Where client slot 0 starts. */
    public static final int CLIENT_SLOTS_START = 256;
    /** The size of one client slot in bytes. */
    public static final int CLIENT_SLOT_LENGTH = 64;
    /** Within a client slot: the holder's party id (long), 0 = free. */
    public static final int SLOT_PARTY_OFFSET = 0;
    /** Within a client slot: the generation (int), incremented by every client that takes the slot. */
    public static final int SLOT_GENERATION_OFFSET = 8;
    /** Within a client slot: the holder's pid (int), for display. */
    public static final int SLOT_PID_OFFSET = 12;
    /** Within a client slot: the inode of the holder's pid namespace (long), for display. */
    public static final int SLOT_PID_NAMESPACE_OFFSET = 16;

    /** The RPC header's size in bytes: one page. */
    public static final int HEADER_LENGTH = 4096;
    /** Where the request channel starts. */
    public static final int REQUEST_OFFSET = HEADER_LENGTH;
    /** Channel images start at multiples of this. */
    public static final int PAGE = 4096;
    /**
     * At most as many client slots as the request channel has producer slots (every client holds one); the header
     * has room for them.
     */
    public static final int MAX_CLIENT_SLOTS = ChannelDescriptor.MAX_PRODUCER_SLOTS;
    /** The largest ring capacity either kind of channel may have here (1 TiB): keeps every sum far from overflow. */
    public static final long MAX_CAPACITY = 1L << 40;

    // ---- the prefixes inside channel payloads ----
    /** In a request payload: the client's slot index (int). */
    public static final int REQUEST_SLOT_OFFSET = 0;
    /** In a request payload: flags (int), 0. */
    public static final int REQUEST_FLAGS_OFFSET = 4;
    /** In a request payload: the correlation id (long). */
    public static final int REQUEST_ID_OFFSET = 8;
    /** The request prefix's size in bytes; the user's request follows it. */
    public static final int REQUEST_PREFIX_LENGTH = 16;
    /** In a response payload: the correlation id (long) of the request it answers. */
    public static final int RESPONSE_ID_OFFSET = 0;
    /** In a response payload: the status (int), {@link #STATUS_OK} or {@link #STATUS_FAILED}. */
    public static final int RESPONSE_STATUS_OFFSET = 8;
    /** In a response payload: reserved (int), 0. */
    public static final int RESPONSE_RESERVED_OFFSET = 12;
    /** The response prefix's size in bytes; the user's response follows it. */
    public static final int RESPONSE_PREFIX_LENGTH = 16;

    /** Response status: the user payload is the service handler's response. */
    public static final int STATUS_OK = 0;
    /** Response status: the service's handler failed; the user payload is its message in UTF-8. */
    public static final int STATUS_FAILED = 1;

    /**
     * The offset of client slot {@code i}'s fields.
     *
     * @param i the slot's index, from 0
     * @return {@link #CLIENT_SLOTS_START} + {@code i} * {@link #CLIENT_SLOT_LENGTH}, in bytes
     */
    public static long clientSlotOffset(int i) {
        return CLIENT_SLOTS_START + (long) CLIENT_SLOT_LENGTH * i;
    }

    /** {@code n} rounded up to a multiple of {@link #PAGE}. */
    static long pageAlign(long n) {
        return (n + PAGE - 1) & -PAGE;
    }

    /**
     * Where response channel 0 starts for a request ring of {@code requestCapacity} bytes.
     *
     * @param requestCapacity the request ring's size in bytes
     * @return the request channel's end rounded up to a page, in bytes from the object's start
     */
    public static long responseOffset(long requestCapacity) {
        return pageAlign(REQUEST_OFFSET + ChannelDescriptor.segmentSize(requestCapacity));
    }

    /**
     * The distance between response channels of {@code responseCapacity} ring bytes.
     *
     * @param responseCapacity each response ring's size in bytes
     * @return a response channel's size (header and ring) rounded up to a page, in bytes
     */
    public static long responseStride(long responseCapacity) {
        return pageAlign(ChannelDescriptor.segmentSize(responseCapacity));
    }

    /**
     * The object's size for {@code clients} slots and the two capacities.
     *
     * @param clients the number of client slots
     * @param requestCapacity the request ring's size in bytes
     * @param responseCapacity each response ring's size in bytes
     * @return the object's size in bytes: the response channels' offset plus one stride per slot
     */
    public static long totalSize(int clients, long requestCapacity, long responseCapacity) {
        return responseOffset(requestCapacity) + clients * responseStride(responseCapacity);
    }

    /**
     * The correlation id of call {@code counter} of a client holding a slot at {@code generation}.
     *
     * @param generation the slot's generation when the client took it
     * @param counter the client's call counter (unsigned 32 bits)
     * @return {@code (generation << 32) | counter}
     */
    public static long correlationId(int generation, int counter) {
        return ((long) generation << 32) | (counter & 0xFFFF_FFFFL);
    }

    /**
     * The slot generation a correlation id was made in.
     *
     * @param correlationId a correlation id
     * @return its high 32 bits
     */
    public static int generationOf(long correlationId) {
        return (int) (correlationId >>> 32);
    }
}
