package jipc.sync;

/**
 * The byte layout of a {@link Mutex} in shared memory: 32 bytes at an 8-byte aligned address, native-endian
 * (little-endian on x86-64). A C program that follows {@code docs/sync-format.md} uses the same words.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  owner.pid: pid of the holding process, 0 = unlocked          |  0  \  owner: one 64-bit word,
 *  |            (the futex word: the low half of owner)            |      | changed only by
 *  +---------------------------------------------------------------+      | compare-and-set;
 *  |  owner.start: low 32 bits of the holder's start time          |  4  /  -1 = not recoverable
 *  |              (field 22 of /proc/PID/stat, clock ticks)        |
 *  +---------------------------------------------------------------+
 *  |  waiters: threads sleeping or about to sleep on owner.pid     |  8
 *  +---------------------------------------------------------------+
 *  |  consistency: 0 consistent, 1 owner died (not yet repaired)   | 12
 *  +---------------------------------------------------------------+
 *  |  ownerThread: token of the holding thread, meaningful only   | 16
 *  +- inside the holding process; 0 while unlocked (64 bits)     -+
 *  |                                                               | 20
 *  +---------------------------------------------------------------+
 *  |  magic: 0x4A4D5831 ("JMX1"), written last by create           | 24
 *  +---------------------------------------------------------------+
 *  |  reserved: 0                                                  | 28
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Pid and start time are one 64-bit word so that taking the lock and naming its owner are a single atomic step:
 * there is no moment at which the mutex is held by nobody known. A pid alone would be fooled by pid reuse; with the
 * start time a recycled pid shows a different start and counts as the dead owner it replaced.
 *
 * <p>Protocol (all read-modify-writes are sequentially consistent atomics):
 * <ul>
 *   <li>lock: compare-and-set {@code owner} from 0 to {@code self}. If held (after a short spin): add 1 to
 *       {@code waiters}, re-read {@code owner}, {@code FUTEX_WAIT(&owner.pid, owner.pid)} for at most 100 ms, retry;
 *       after a slice that timed out, check whether the recorded owner still lives (same pid, same start time, not a
 *       zombie); if not, compare-and-set {@code owner} from the dead identity to {@code self}, set
 *       {@code consistency = 1} and report the owner's death. Subtract 1 from {@code waiters} when done.</li>
 *   <li>unlock: if {@code consistency == 1} set {@code owner = -1} (not recoverable) and wake every sleeper;
 *       otherwise set {@code owner = 0}, then if {@code waiters > 0}: {@code FUTEX_WAKE(&owner.pid, 1)}.</li>
 * </ul>
 */
public final class MutexDescriptor {
    private MutexDescriptor() {
    }

    /** Offset of {@code owner} (64 bits): pid in the low half (the futex word), start time in the high half. */
    public static final long OWNER_OFFSET = 0;
    /** Offset of the futex word, the low (pid) half of {@code owner} on a little-endian machine. */
    public static final long FUTEX_WORD_OFFSET = 0;
    /** Offset of {@code waiters} (32 bits). */
    public static final long WAITERS_OFFSET = 8;
    /** Offset of {@code consistency} (32 bits): {@link #CONSISTENT} or {@link #OWNER_DIED}. */
    public static final long CONSISTENCY_OFFSET = 12;
    /**
     * Offset of {@code ownerThread} (64 bits): a token of the holding thread (its Java thread id XOR a random
     * per-process salt, never 0), compared only by threads of the holding process to tell "I hold it" from
     * "another thread of my process holds it". Other programs write 0 or their own non-zero token.
     */
    public static final long OWNER_THREAD_OFFSET = 16;
    /** Offset of {@code magic} (32 bits). */
    public static final long MAGIC_OFFSET = 24;
    /** Size of a mutex in bytes. */
    public static final long LENGTH = 32;
    /** Required alignment of a mutex's address (the 64-bit owner word). */
    public static final long ALIGNMENT = 8;
    /** "JMX1" in ASCII: the magic of layout version 1. */
    public static final int MAGIC = 0x4A4D5831;

    /** {@code owner} of an unlocked mutex. */
    public static final long UNLOCKED = 0;
    /** {@code owner} of a mutex whose repairing owner unlocked it without marking it consistent. */
    public static final long NOT_RECOVERABLE = -1;
    /** {@code consistency}: the protected data is consistent. */
    public static final int CONSISTENT = 0;
    /** {@code consistency}: an owner died holding the mutex and the new owner has not marked it consistent yet. */
    public static final int OWNER_DIED = 1;
}
