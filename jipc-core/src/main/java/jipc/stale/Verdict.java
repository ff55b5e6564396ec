package jipc.stale;

import jipc.shm.SharedMemoryInfo;

/**
 * The judgement of one shared object.
 *
 * @param object    the object as {@link jipc.shm.SharedMemoryListing} lists it
 * @param staleness what could be proven
 * @param reason    why, for people: e.g. {@code "creator pid 4242 and last attacher pid 4250 gone, 0 attached"} or
 *                  {@code "consumer pid 77 (start 1234) alive"}
 */
public record Verdict(SharedMemoryInfo object, Staleness staleness, String reason) {
    /**
     * Whether the object may be removed.
     *
     * @return {@code true} if only dead processes used it
     */
    public boolean isStale() {
        return staleness == Staleness.STALE;
    }

    /**
     * How the other commands name it: {@code /name} for POSIX, {@code id:N} for System V.
     *
     * @return the name or id
     */
    public String target() {
        return object.kind() == SharedMemoryInfo.Kind.SYSV ? "id:" + object.id() : object.name();
    }
}
