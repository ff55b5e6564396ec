package jipc.channel;

/**
 * A running channel found bytes in its shared segment that no correct peer writes: a record length outside the
 * ring, a negative length where no claim can be, a claim naming a producer slot that does not exist, a pending head
 * behind nothing or beyond the tail. Shared memory is a trust boundary (any process that maps the segment may write
 * anything at any moment), so this is how a channel reports what such a process did, instead of reading outside the
 * ring, looping forever, or handing out garbage as a message.
 *
 * <p>The message and the accessors name the field, the channel position (a byte counter like head and tail) where
 * it was found, and the impossible value, e.g.
 * {@code corrupt channel: record length=-7 at position 4096: not in [8, 1024]}. Nothing was given back for the
 * corrupt record: the call that throws leaves the head at or before it (messages handed to the handler before it
 * are given back), so every later poll meets it again; the channel cannot be used any further and should be
 * recreated. Attaching to a segment whose header is wrong is a {@link ChannelFormatException} instead (checked, at
 * attach time); this exception is unchecked because it can come from any poll, claim or registration.
 */
public final class ChannelCorruptedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The field of a record at {@link #position()}: its length word. */
    public static final String RECORD_LENGTH = "record length";
    /** The field of a record at {@link #position()}: its type word (a claim's producer slot). */
    public static final String RECORD_TYPE = "record type";
    /** The header field at offset 656 ({@link ChannelDescriptor#PENDING_HEAD_OFFSET}). */
    public static final String PENDING_HEAD = "pending head";
    /** The header fields at offsets 128 and 256 (tail and head positions). */
    public static final String POSITIONS = "head/tail";

    /** The corrupt field, one of the constants of this class. */
    private final String field;
    /** The channel position (bytes since creation) where the field was read. */
    private final long position;
    /** The impossible value read there. */
    private final long value;

    /**
     * Describes a corrupt field found at a channel position; the message names the field, position, value and what
     * was expected.
     *
     * @param field    what is wrong, one of the constants of this class
     * @param position the channel position where it was found
     * @param value    the impossible value read there
     * @param expected what a correct peer writes there, in words ({@code "not in [8, 1024]"})
     */
    public ChannelCorruptedException(String field, long position, long value, String expected) {
        super("corrupt channel: " + field + "=" + value + " at position " + position + ": " + expected);
        this.field = field;
        this.position = position;
        this.value = value;
    }

    /**
     * The corrupt field: {@link #RECORD_LENGTH}, {@link #RECORD_TYPE}, {@link #PENDING_HEAD} or {@link #POSITIONS}.
     *
     * @return one of {@link #RECORD_LENGTH}, {@link #RECORD_TYPE}, {@link #PENDING_HEAD} or {@link #POSITIONS}
     */
    public String field() {
        return field;
    }

    /**
     * The channel position (a byte counter, like {@link OneToOneChannel#headPosition()}) where it was found.
     *
     * @return the channel position in bytes since creation
     */
    public long position() {
        return position;
    }

    /**
     * The value read there.
     *
     * @return the impossible value read at that position
     */
    public long value() {
        return value;
    }
}
