package jipc.rpc;

import java.lang.foreign.MemorySegment;

/**
 * Receives the response of one call without copying it.
 *
 * @param <T> what the call returns
 */
@FunctionalInterface
public interface ResponseHandler<T> {
    /**
     * Called once, on the calling thread, with the response of this call (never another call's).
     *
     * @param type     the message type the service gave, {@code >= 1}
     * @param response a read-only view of the response payload inside the shared ring: valid only during this call;
     *                 copy what you keep
     * @return what {@link RpcClient#call} returns
     */
    T onResponse(int type, MemorySegment response);
}
