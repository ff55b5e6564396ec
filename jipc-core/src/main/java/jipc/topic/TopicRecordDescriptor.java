package jipc.topic;

/**
 * The layout of one record in a topic's ring.
 *
 * <pre>
 *   0               4               8                               16
 *   +---------------+---------------+-------------------------------+------------------------------+
 *   | length (int)  | type (int)    | sequence (long)               | payload: length - 16 bytes   | padding to 16
 *   +---------------+---------------+-------------------------------+------------------------------+
 * </pre>
 *
 * {@code length} counts the header and the payload, not the padding after it; the next record starts at
 * {@code align(length)}. {@code type} is {@code >= 1} for a message, {@link #PADDING_TYPE} for the filler at the end
 * of the ring (its length is the room to the end). {@code sequence} numbers the messages from 0; a padding record and
 * the look-ahead header (length 0, type 0, always at the tail) carry the number of the next message. Records are
 * published by the tail, not by their length: nothing at or above the tail is ever read as a message.
 */
public final class TopicRecordDescriptor {
    private TopicRecordDescriptor() {
    }

    /** The record length (int at offset 0): header plus payload in bytes. */
    public static final int LENGTH_OFFSET = 0;
    /**
     * The record type (int at offset 4): {@code >= 1} for messages, {@link #PADDING_TYPE} for the filler, 0 in the
     * look-ahead header.
     */
    public static final int TYPE_OFFSET = 4;
    /** The message's sequence number (long at offset 8), from 0. */
    public static final int SEQUENCE_OFFSET = 8;
    /** The header's size in bytes: length, type and sequence. */
    public static final int HEADER_LENGTH = 16;
    /** Records start at multiples of 16 bytes. */
    public static final int ALIGNMENT = 16;
    /** The type of the filler record at the end of the ring. User types must be {@code >= 1}. */
    public static final int PADDING_TYPE = -1;

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
