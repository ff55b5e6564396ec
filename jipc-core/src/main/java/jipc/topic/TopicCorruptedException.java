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

    private final String field;
    private final long position;
    private final long value;

    public TopicCorruptedException(String field, long position, long value, String expected) {
        super("corrupt topic: " + field + "=" + value + " at position " + position + ": " + expected);
        this.field = field;
        this.position = position;
        this.value = value;
    }

    /** What is wrong: {@code "record length"}, {@code "record type"}, {@code "positions"}, {@code "floor"}. */
    public String field() {
        return field;
    }

    /** The topic position where it was found. */
    public long position() {
        return position;
    }

    /** The impossible value. */
    public long value() {
        return value;
    }
}
