package jipc.topic;

/**
 * A running topic found bytes in its shared segment that no correct peer writes: a record length outside the ring,
 * a type 0, a cursor beyond the tail, a tail more than a ring ahead of a BLOCK subscriber. Shared memory is a trust
 * boundary, so this is how a subscriber reports what a hostile or broken process did, instead of reading outside
 * the ring, looping, or handing out garbage. The message names the field, the position and the value, e.g.
 * {@code corrupt topic: record length=7 at position 4096: not in [16, 1040]}.
 */
public final class TopicCorruptedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** What is wrong, as {@link #field()} returns it. */
    private final String field;
    /** The topic position where it was found. */
    private final long position;
    /** The impossible value read there. */
    private final long value;

    /**
     * Describes a corrupt field found at a topic position; the message names all four.
     *
     * @param field what is wrong: {@code "record length"}, {@code "record type"}, {@code "positions"} or
     *     {@code "floor"}
     * @param position the topic position where it was found
     * @param value the impossible value read there
     * @param expected what a correct publisher writes there, in words
     */
    public TopicCorruptedException(String field, long position, long value, String expected) {
        super("corrupt topic: " + field + "=" + value + " at position " + position + ": " + expected);
        this.field = field;
        this.position = position;
        this.value = value;
    }

    /**
     * What is wrong: {@code "record length"}, {@code "record type"}, {@code "positions"}, {@code "floor"}.
     *
     * @return the field's name
     */
    public String field() {
        return field;
    }

    /**
     * The topic position where it was found.
     *
     * @return the byte position since the topic's creation
     */
    public long position() {
        return position;
    }

    /**
     * The impossible value.
     *
     * @return the value read
     */
    public long value() {
        return value;
    }
}
