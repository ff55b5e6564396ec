package jipc.channel;

import java.lang.foreign.MemorySegment;

/**
 * Receives messages from a channel as places in the ring, without copying them and without an object per message:
 * the handler of {@link MessageChannel#pollRing(RingHandler, int)}, in the shape of Agrona's
 * {@code MessageHandler.onMessage(msgTypeId, buffer, index, length)}.
 *
 * <p>{@link MessageHandler} gets a segment bounded to the message, a slice of the ring made per message (40 bytes,
 * which the JIT compiler removes only where it inlines the handler into the poll). This handler gets the same
 * read-only segment of the whole ring on every call and the payload's offset and length in it: nothing is made per
 * message, whatever the compiler inlines. The price is that the segment's bounds do not stop a read past the
 * message (into other records of the ring); only {@code [offset, offset + length)} is the message.
 */
@FunctionalInterface
public interface RingHandler {
    /**
     * Called once per message, in order.
     *
     * @param type   the type the producer gave, {@code >= 1}
     * @param ring   the whole ring, read-only: the same segment on every call of a channel instance
     * @param offset where the payload starts in {@code ring} (8-byte aligned)
     * @param length the payload's length in bytes; its bytes are valid only during this call (their room goes back
     *               to the producers when the poll's batch is done, and they write over it): copy what you keep
     */
    void onMessage(int type, MemorySegment ring, long offset, int length);
}
