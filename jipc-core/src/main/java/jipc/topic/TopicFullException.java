package jipc.topic;

/**
 * All {@value TopicDescriptor#SLOT_COUNT} subscriber slots of a topic are held by subscribers that are alive (or
 * cannot be judged from here): a new subscriber has no place until one closes or dies.
 */
public final class TopicFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Every subscriber slot is held.
     *
     * @param message names the topic and the slot count
     */
    public TopicFullException(String message) {
        super(message);
    }
}
