package jipc.channel;

import java.lang.foreign.MemorySegment;

/** Receives messages from a channel without copying them. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Called once per message, in order.
     *
     * @param type    the type the producer gave, {@code >= 1}
     * @param payload a read-only view of the message inside the shared ring: valid only during this call (the space
     *                is zeroed and handed back to producers as soon as the call returns); copy what you keep
     */
    void onMessage(int type, MemorySegment payload);
}
