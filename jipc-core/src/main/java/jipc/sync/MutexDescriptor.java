package jipc.sync;

/**
 * The byte layout of a {@link Mutex} in shared memory: 32 bytes at an 8-byte aligned address, native-endian
 * (little-endian on x86-64). A C program that follows {@code docs/sync-format.md} uses the same words.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  owner (low half): the holder's token number, 0 = unlocked    |  0  \  owner: one 64-bit word,
 *  |            (the futex word: the low half of owner)            |      | the holder's party id
 *  +---------------------------------------------------------------+      | (jipc.live), changed only
 *  |  owner (high half): store tag and party number (1)            |  4  /  by compare-and-set;
 *  |                                                               |        -1 = not recoverable
 *  +---------------------------------------------------------------+
 *  |  waiters: threads sleeping or about to sleep on the futex word|  8
 *  +---------------------------------------------------------------+
 *  |  consistency: 0 consistent, 1 owner died (not yet repaired)   | 12
 *  +---------------------------------------------------------------+
 *  |  ownerThread: token of the holding thread, meaningful only   | 16
 *  +- inside the holding process; 0 while unlocked (64 bits)     -+
 *  |                                                               | 20
 *  +---------------------------------------------------------------+
 *  |  magic: 0x4A4D5832 ("JMX2"), written last by create           | 24
 *  +---------------------------------------------------------------+
 *  |  ownerPid: the holder's pid in its own namespace (display)    | 28
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The owner is the holding process's party id ({@code jipc.live.LivenessDescriptor}, party number 1: the whole
 * process), taken with one compare-and-set: there is no moment at which the mutex is held by nobody known. A waiter
 * takes it over only when that party's liveness token says it is dead: the kernel dropped the lock on the token
 * file, which holds across pid namespaces, pid reuse and clock changes. A holder that cannot be judged (its token
 * cannot be opened) is alive. The low half of the owner word (the token number) is the futex word.
 *
 * <p>Protocol (all read-modify-writes are sequentially consistent atomics):
 * <ul>
 *   <li>lock: compare-and-set {@code owner} from 0 to {@code self}, then {@code ownerThread}, then {@code ownerPid}.
 *       If held (after a short spin): add 1 to {@code waiters}, re-read {@code owner},
 *       {@code FUTEX_WAIT(&owner.low, owner.low)} for at most 100 ms, retry; after a slice that timed out, check the
 *       owner's token; if dead, compare-and-set {@code owner} from the dead party to {@code self}, set
 *       {@code consistency = 1} and report the owner's death. Subtract 1 from {@code waiters} when done.</li>
 *   <li>unlock: if {@code consistency == 1} set {@code owner = -1} (not recoverable) and wake every sleeper;
 *       otherwise set {@code owner = 0}, then if {@code waiters > 0}: {@code FUTEX_WAKE(&owner.low, 1)}.</li>
 * </ul>
 */
public final class MutexDescriptor {
    private MutexDescriptor() {
    }

    /** Offset of {@code owner} (64 bits): the holder's party id; its low half (the token number) is the futex word. */
    public static final long OWNER_OFFSET = 0;
    /** Offset of the futex word, the low half of {@code owner} on a little-endian machine. */
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
    /** Offset of {@code ownerPid} (32 bits): the holder's pid in its own pid namespace, for people only. */
    public static final long OWNER_PID_OFFSET = 28;
    /** Offset of {@code magic} (32 bits). */
    public static final long MAGIC_OFFSET = 24;
    /** Size of a mutex in bytes. */
    public static final long LENGTH = 32;
    /** Required alignment of a mutex's address (the 64-bit owner word). */
    public static final long ALIGNMENT = 8;
    /** "JMX2" in ASCII: the magic of layout version 2 (owners named by liveness token). */
    public static final int MAGIC = 0x4A4D5832;
    /** "JMX1": layout version 1 (owners named by pid and start time), refused by attach. */
    public static final int MAGIC_VERSION_1 = 0x4A4D5831;

    /** {@code owner} of an unlocked mutex. */
    public static final long UNLOCKED = 0;
    /** {@code owner} of a mutex whose repairing owner unlocked it without marking it consistent. */
    public static final long NOT_RECOVERABLE = -1;
    /** {@code consistency}: the protected data is consistent. */
    public static final int CONSISTENT = 0;
    /** {@code consistency}: an owner died holding the mutex and the new owner has not marked it consistent yet. */
    public static final int OWNER_DIED = 1;
}
