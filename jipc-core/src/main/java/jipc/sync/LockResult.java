package jipc.sync;

/** How a {@link Mutex} lock attempt ended. */
public enum LockResult {
    /** The caller holds the mutex; the previous holder unlocked it normally. */
    ACQUIRED,
    /**
     * The caller holds the mutex, taken from a holder that died holding it: the protected data may be half-updated.
     * Repair it, then call {@link Mutex#markConsistent()} before {@link Mutex#unlock()}; unlocking without that
     * leaves the mutex {@linkplain MutexNotRecoverableException not recoverable}.
     */
    OWNER_DIED,
    /** The caller does not hold the mutex: a live holder had it for the whole attempt (tryLock only). */
    BUSY;

    /**
     * Whether the caller now holds the mutex ({@link #ACQUIRED} or {@link #OWNER_DIED}).
     *
     * @return {@code true} for {@link #ACQUIRED} and {@link #OWNER_DIED}, {@code false} for {@link #BUSY}
     */
    public boolean acquired() {
        return this != BUSY;
    }
}
