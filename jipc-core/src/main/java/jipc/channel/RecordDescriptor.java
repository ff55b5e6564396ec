package jipc.channel;

/**
 * The layout of one record in the data ring.
 *
 * <pre>
 *   0               4               8
 *   +---------------+---------------+---------------------------------------+
 *   | length (int)  | type (int)    | payload: length - 8 bytes ...         | zero padding to 8-byte boundary
 *   +---------------+---------------+---------------------------------------+
 * </pre>
 *
 * {@code length} counts the header and the payload, not the alignment padding; the next record starts at
 * {@code align(length)}. It is written last, with a release store, so a reader that sees a non-zero length with an
 * acquire load sees the whole record. {@code length == 0} means "nothing here yet": the consumer zeroes every record
 * it has consumed before it hands the space back. A record of type {@link #PADDING_TYPE} fills the end of the ring
 * when the next message would not fit before the wrap; readers skip it.
 */
public final class RecordDescriptor {
    private RecordDescriptor() {
    }

    /** The record length (int at offset 0): header plus payload in bytes, 0 = nothing published here yet. */
    public static final int LENGTH_OFFSET = 0;
    /** The record type (int at offset 4): {@code >= 1} for messages, {@link #PADDING_TYPE} for the filler. */
    public static final int TYPE_OFFSET = 4;
    /** The header's size in bytes: length and type. */
    public static final int HEADER_LENGTH = 8;
    /** Records start at multiples of 8 bytes, so their header words are aligned for atomic access. */
    public static final int ALIGNMENT = 8;
    /** The type of the filler record at the end of the ring. User types must be {@code >= 1}. */
    public static final int PADDING_TYPE = -1;

    /**
     * The 8-byte header {@code (length, type)} as one little-endian long, for a single 64-bit store or
     * compare-and-set: the many-producer channel changes length and type together, so that no reader ever pairs a
     * length with the type of another state of the record.
     *
     * @param length the record length: header plus payload, in bytes
     * @param type the record type ({@code >= 1}, or {@link #PADDING_TYPE})
     * @return length in the low 32 bits, type in the high 32 bits
     */
    public static long header(int length, int type) {
        return ((long) type << 32) | (length & 0xFFFF_FFFFL);
    }

    /**
     * The length half of a {@link #header(int, int)} word.
     *
     * @param header a header word
     * @return its low 32 bits
     */
    public static int headerLength(long header) {
        return (int) header;
    }

    /**
     * The type half of a {@link #header(int, int)} word.
     *
     * @param header a header word
     * @return its high 32 bits
     */
    public static int headerType(long header) {
        return (int) (header >>> 32);
    }

    /**
     * {@code length} rounded up to the record alignment.
     *
     * @param length a length in bytes, {@code >= 0}
     * @return the smallest multiple of {@link #ALIGNMENT} that is {@code >= length}
     */
    public static long align(long length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * The ring space one message of {@code payloadLength} bytes takes.
     *
     * @param payloadLength the payload length in bytes
     * @return header plus payload rounded up to {@link #ALIGNMENT}, in bytes
     */
    public static long recordSpace(int payloadLength) {
        return align((long) HEADER_LENGTH + payloadLength);
    }
}
