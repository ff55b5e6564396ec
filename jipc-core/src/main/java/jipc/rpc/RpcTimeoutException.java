package jipc.rpc;

import java.io.IOException;

/**
 * A call's deadline passed while the service was alive: no room came in the request ring, or no response came. A
 * response that arrives later is recognised by its correlation id and dropped, never handed to a later call. The CLI
 * exits 75.
 */
public final class RpcTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * The deadline passed while the service lived.
     *
     * @param message names the call and the deadline
     */
    public RpcTimeoutException(String message) {
        super(message);
    }
}
