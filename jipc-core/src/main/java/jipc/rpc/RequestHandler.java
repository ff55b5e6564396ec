package jipc.rpc;

import java.lang.foreign.MemorySegment;

/** Handles one request in an {@link RpcService}. */
@FunctionalInterface
public interface RequestHandler {
    /**
     * Called once per request.
     *
     * @param type      the message type the client gave, {@code >= 1}
     * @param request   the request payload: read-only, in the shared ring (zero-copy) and valid only during this call
     *                  with {@link RpcService#poll} and {@link RpcService#serve(RequestHandler)}; a copy on the heap
     *                  with {@link RpcService#serve(RequestHandler, int)}
     * @param responder how to answer: exactly once, before returning. A handler that throws, or returns without
     *                  responding, makes the service answer with a failure that the client sees as
     *                  {@link RpcFailedException}.
     * @throws Exception anything: the service answers this request with a failure carrying the exception's message
     */
    void onRequest(int type, MemorySegment request, Responder responder) throws Exception;
}
