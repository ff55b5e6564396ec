package jipc.sync;

/**
 * Thrown when locking a {@link Mutex} that is not recoverable: an owner died holding it, and the process that
 * took it over unlocked it without {@link Mutex#markConsistent()}, declaring the protected data beyond repair
 * (like {@code ENOTRECOVERABLE} of a robust pthread mutex). Only {@link Mutex#create} on the same memory makes it
 * usable again.
 */
public class MutexNotRecoverableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * The mutex was given up while inconsistent.
     *
     * @param message names the mutex and how it became not recoverable
     */
    public MutexNotRecoverableException(String message) {
        super(message);
    }
}
