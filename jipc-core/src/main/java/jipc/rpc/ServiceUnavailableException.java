package jipc.rpc;

import java.io.IOException;

/**
 * A call cannot be answered because there is no live service: none holds the role, the one that held it when the
 * request was sent closed or was replaced, or its liveness token says it is dead. A waiting client learns this within
 * one wait slice (at most 100 ms), not at its deadline. Whether a request already sent was handled is unknown
 * (at most once: a new service never answers it to this call). The CLI exits 69.
 */
public final class ServiceUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The pid the service recorded, 0 if there was none. */
    private final int servicePid;

    /**
     * No live service.
     *
     * @param message what the client found
     * @param servicePid the pid the service recorded, 0 if none
     */
    public ServiceUnavailableException(String message, int servicePid) {
        super(message);
        this.servicePid = servicePid;
    }

    /**
     * The pid the service recorded (in its own pid namespace, display only), 0 if there was none.
     *
     * @return the pid, or {@code 0}
     */
    public int servicePid() {
        return servicePid;
    }
}
