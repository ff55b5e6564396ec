package jipc.shm;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The mappings one shared memory handle made and that are still open, so that closing the handle closes them all and
 * a forgotten mapping never outlives the handle that made it.
 */
final class MappingSet {
    private final Set<Mapping> open = new LinkedHashSet<>(); // guarded by this
    private boolean closed; // guarded by this

    /** Adds a fresh mapping; if the handle was closed meanwhile, unmaps it and throws. */
    Mapping add(Mapping mapping) throws ClosedChannelException {
        synchronized (this) {
            if (!closed) {
                open.add(mapping);
                return mapping;
            }
        }
        mapping.close();
        throw new ClosedChannelException();
    }

    /** Called by a mapping that was closed on its own. */
    synchronized void forget(Mapping mapping) {
        open.remove(mapping);
    }

    /** Whether {@link #closeAll()} has run. */
    synchronized boolean isClosed() {
        return closed;
    }

    /** Refuses further mappings and closes the open ones. Idempotent. */
    void closeAll() {
        List<Mapping> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(open);
        }
        RuntimeException failure = null;
        for (Mapping m : toClose) {
            try {
                m.close();
            } catch (RuntimeException e) { // a native call still uses it: close the others anyway
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
