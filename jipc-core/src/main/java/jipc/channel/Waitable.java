package jipc.channel;

/**
 * One side's reason to wait, as a {@link WaitStrategy} sees it: the consumer waits for a message, a producer for
 * room in the ring. The channel makes these; a custom strategy only calls them.
 */
public interface Waitable {
    /**
     * Whether the awaited condition holds now: a few memory loads, no system call.
     *
     * @return {@code true} if the caller can stop waiting
     */
    boolean isReady();

    /**
     * Sleeps in the kernel until the other side signals or {@code maxNanos} pass, whichever comes first, and returns
     * {@link #isReady()}. Runs the channel's wake protocol (announce, fence, re-check, {@code FUTEX_WAIT}), so a
     * signal between the caller's last check and the sleep is never lost. May return early (spuriously); the caller
     * loops. A blocking system call: it does not notice {@link Thread#interrupt()} until it returns, so callers pass
     * short slices. On a heap segment (no futex possible) it parks for at most 1 ms instead.
     *
     * @param maxNanos the longest sleep in nanoseconds
     * @return {@link #isReady()} after the sleep
     */
    boolean sleep(long maxNanos);
}
