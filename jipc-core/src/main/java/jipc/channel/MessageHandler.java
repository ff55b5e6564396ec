package jipc.channel;

import java.lang.foreign.MemorySegment;

/** Receives messages from a channel without copying them. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Called once per message, in order.
     *
     * @param type    the type the producer gave, {@code >= 1}
     * @param payload a read-only view of the message inside the shared ring: valid only during this call (its room
     *                goes back to the producers when the poll's batch is done, and they write over it); copy what
     *                you keep
     */
    void onMessage(int type, MemorySegment payload);
}
