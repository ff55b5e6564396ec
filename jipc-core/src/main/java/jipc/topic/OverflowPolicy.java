package jipc.topic;

/** What a topic's publisher does when the ring is full: chosen at creation (header flags bit 0), never changed. */
public enum OverflowPolicy {
    /**
     * The publisher never overwrites a message a live subscriber has not read: {@code offer} returns {@code false}
     * and {@code put} waits (futex) while the slowest live subscriber is a ring behind. A dead subscriber is dropped
     * by its liveness token within one wait slice. Subscribers read messages in place (zero-copy).
     */
    BLOCK,
    /**
     * The publisher never waits: a subscriber a ring behind is lapped, counts the messages it lost
     * ({@link TopicSubscriber#lostMessages()}) and resumes at the oldest message still whole (lapped again before it
     * delivered anything: at the newest). Subscribers copy each message out and check it was not
     * overwritten during the copy before handing it over.
     */
    OVERWRITE
}
