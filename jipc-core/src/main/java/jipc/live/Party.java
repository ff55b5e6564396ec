package jipc.live;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One party of this process: the id an instance writes into a role word of a shared structure (the consumer of a
 * channel, a producer slot). Alive to everyone while this process runs and the party is not closed; closing gives
 * the number back (give the role back first). Idempotent.
 */
public final class Party implements AutoCloseable {
    private final LivenessToken token;
    private final long id;
    private final AtomicBoolean closed = new AtomicBoolean();

    Party(LivenessToken token, long id) {
        this.token = token;
        this.id = id;
    }

    /**
     * The 64-bit party id, as {@link LivenessDescriptor} lays it out.
     *
     * @return the id that role words hold
     */
    public long id() {
        return id;
    }

    /**
     * The token this party belongs to: its process's.
     *
     * @return the token
     */
    public LivenessToken token() {
        return token;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            token.release(id);
        }
    }

    @Override
    public String toString() {
        return "Party[0x" + Long.toHexString(id) + "]";
    }
}
