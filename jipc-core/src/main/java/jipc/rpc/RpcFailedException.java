package jipc.rpc;

import java.io.IOException;

/**
 * The service received the request but its handler failed (threw, or returned without responding): the response
 * carried status {@link RpcDescriptor#STATUS_FAILED} and this message. The service goes on serving.
 */
public final class RpcFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * The service's handler failed.
     *
     * @param message the service's failure message
     */
    public RpcFailedException(String message) {
        super(message);
    }
}
