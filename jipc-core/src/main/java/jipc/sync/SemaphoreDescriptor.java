package jipc.sync;

/**
 * The byte layout of a {@link Semaphore} in shared memory, layout version 2: 128 bytes at an 8-byte aligned address,
 * native-endian (little-endian on x86-64). A C program that follows {@code docs/sync-format.md} uses the same words.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  count: permits available now, 0..max   (the futex word)      |   0
 *  +---------------------------------------------------------------+
 *  |  overflow: waiters that found no entry (int32)                |   4
 *  +---------------------------------------------------------------+
 *  |  max: highest count (1 for a binary semaphore)                |   8
 *  +---------------------------------------------------------------+
 *  |  magic: 0x4A534D32 ("JSM2"), written last by create           |  12
 *  +===============================================================+
 *  |  entry 0 party (low half)                                     |  16  \  party: uint64 party id
 *  +- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -+      | (jipc.live) of one process
 *  |  entry 0 party (high half: store tag, party number)           |  20  /  with waiting threads;
 *  +---------------------------------------------------------------+         party number 0 = free
 *  |  entry 0 waiting: that process's threads asleep or about to   |  24
 *  +---------------------------------------------------------------+
 *  |  entry 0 reserved (0)                                         |  28
 *  +===============================================================+
 *  |  entry 1 (party, waiting, reserved)                           |  32
 *  |                               ...                             |
 *  +===============================================================+
 *  |  entry 6 (party, waiting, reserved)                           | 112
 *  |                                                               |
 *  +---------------------------------------------------------------+ 128
 * </pre>
 *
 * <p>Why entries and not one waiters count (version 1): a process killed asleep in a wait left that count one too
 * high for good, and every later release made a needless {@code FUTEX_WAKE} system call. Now each process counts its
 * sleepers in an entry named by its liveness token; when it dies the entry's count freezes, a releaser whose wake
 * reached nobody frees the entries of dead processes, and the next process that takes a freed entry subtracts the
 * frozen count. Only a waiter that found no entry (all seven named by live processes, or no liveness token could be
 * made) counts in {@code overflow}, and only a process that dies in that rare case leaves a count high for good.
 *
 * <p>An entry is <em>free</em> when the party number of its party word (bits 32..47) is 0: never used (0), or freed
 * by a releaser, which leaves the dead party's id with its party number cleared ({@link #freed(long)}). Freeing to a
 * value that still names the dead token, rather than to 0, keeps a slow taker from being fooled: a taker reads the
 * frozen count before its compare-and-set, and the compare-and-set succeeds only if the word still holds the very
 * value it read, which no other entry history can bring back (an entry freed to 0 could be taken, die and be freed
 * to 0 again in between, and the taker would subtract a stale count for as long as it lives).
 *
 * <p>Protocol (all accesses sequentially consistent atomics):
 * <ul>
 *   <li>acquire: compare-and-set {@code count} from {@code c > 0} to {@code c - 1}. If {@code count} is 0 (after a
 *       short spin), count this thread: in the entry whose party is this process's party id; else take a free
 *       entry, or one whose party is certainly dead: read its {@code waiting} (frozen) {@code k},
 *       compare-and-set {@code party} from what was read to the own id, then add {@code -k} to {@code waiting}
 *       (an add, not a store: other threads of this process may count themselves in it meanwhile); else count in
 *       {@code overflow}. Then add 1 to that counter, re-check {@code count}, {@code FUTEX_WAIT(&count, 0)}, retry;
 *       add -1 to the same counter when done. A live process never gives its entry back.</li>
 *   <li>release(n): compare-and-set {@code count} from {@code c} to {@code c + n} (refused above {@code max}), then
 *       {@code FUTEX_WAKE(&count, n)} if {@code overflow > 0} or some entry has {@code waiting > 0} and a party
 *       that is not free. If that wake woke nobody, a releaser may free the entries with {@code waiting > 0} whose
 *       party is certainly dead ({@code CAS(party, p, freed(p))}; Java: at most every 100 ms per instance).</li>
 * </ul>
 *
 * <p>Why no wake-up is lost (Dekker): the waiter does its add on the counter, a read-modify-write, and only then
 * reads {@code count}; the releaser does its compare-and-set on {@code count} and only then reads the counters and
 * parties. All of these are in one total order, so either the waiter's read of {@code count} comes after the
 * releaser's compare-and-set and sees the permit (or the kernel's compare inside {@code FUTEX_WAIT} does), or the
 * releaser's reads come after the waiter's add and see {@code waiting > 0}, and also the waiter's party, written
 * before that add and left alone while the waiter's process lives. A counter never shows fewer than the live
 * waiters it counts: a frozen count is subtracted only after the compare-and-set that made the entry the taker's,
 * and every thread adds its 1 before it subtracts it. A dead process's frozen count can only make a releaser wake
 * for nothing, never keep it from waking.
 *
 * <p>Several semaphores may sit in one segment, one after another; place each at a 64-byte aligned offset when
 * different processes hammer them, so that a count does not share a cache line with another semaphore's entries.
 */
public final class SemaphoreDescriptor {
    private SemaphoreDescriptor() {
    }

    /** Offset of {@code count}, the futex word: permits available now. */
    public static final long COUNT_OFFSET = 0;
    /**
     * Offset of {@code overflow} (int32): threads (in any process) sleeping or about to sleep on {@code count} that
     * found no entry. Where version 1 kept its single waiters count.
     */
    public static final long OVERFLOW_OFFSET = 4;
    /** Offset of {@code max}: the highest value of {@code count}; 1 makes a binary semaphore. */
    public static final long MAX_OFFSET = 8;
    /** Offset of {@code magic}: {@link #MAGIC} once {@code create} has initialised the other fields. */
    public static final long MAGIC_OFFSET = 12;
    /** Offset of the first waiter entry. */
    public static final long ENTRIES_OFFSET = 16;
    /** Size of one waiter entry. */
    public static final long ENTRY_LENGTH = 16;
    /** How many waiter entries a semaphore has. */
    public static final int ENTRIES = 7;
    /**
     * Offset inside an entry of {@code party} (uint64): the party id ({@code jipc.live.LivenessDescriptor}, party
     * number 1: the whole process) of a process that counts its waiting threads in this entry; free if its party
     * number is 0.
     */
    public static final long ENTRY_PARTY_OFFSET = 0;
    /** Offset inside an entry of {@code waiting} (int32): that process's threads sleeping or about to sleep. */
    public static final long ENTRY_WAITING_OFFSET = 8;
    /** Offset inside an entry of 4 reserved bytes: 0. */
    public static final long ENTRY_RESERVED_OFFSET = 12;
    /** Size of a semaphore in bytes. */
    public static final long LENGTH = ENTRIES_OFFSET + ENTRIES * ENTRY_LENGTH;
    /** Required alignment of a semaphore's address: the entries' 64-bit party words. */
    public static final long ALIGNMENT = 8;
    /** "JSM2" in ASCII: the magic of layout version 2 (waiters counted per process, in entries named by token). */
    public static final int MAGIC = 0x4A534D32;
    /** "JSM1": layout version 1 (16 bytes, one waiters count at offset 4), refused by attach. */
    public static final int MAGIC_VERSION_1 = 0x4A534D31;
    /** Size of a version 1 semaphore: enough to read its magic and refuse it by name. */
    public static final long VERSION_1_LENGTH = 16;

    /** The bits of a party id that hold its party number (never 0 in a party id). */
    private static final long PARTY_NUMBER_MASK = 0xFFFFL << 32;

    /**
     * Offset of entry {@code i} (0 to {@link #ENTRIES} - 1) from the semaphore's start.
     *
     * @param i the entry's index
     * @return the offset in bytes
     */
    public static long entryOffset(int i) {
        return ENTRIES_OFFSET + i * ENTRY_LENGTH;
    }

    /**
     * Offset of entry {@code i}'s party word from the semaphore's start.
     *
     * @param i the entry's index, 0 to {@link #ENTRIES} - 1
     * @return the offset in bytes
     */
    public static long partyOffset(int i) {
        return entryOffset(i) + ENTRY_PARTY_OFFSET;
    }

    /**
     * Offset of entry {@code i}'s waiting count from the semaphore's start.
     *
     * @param i the entry's index, 0 to {@link #ENTRIES} - 1
     * @return the offset in bytes
     */
    public static long waitingOffset(int i) {
        return entryOffset(i) + ENTRY_WAITING_OFFSET;
    }

    /**
     * Whether an entry whose party word holds {@code party} is free: never used, or freed after its party died.
     *
     * @param party the party word's value
     * @return {@code true} if its party number is 0
     */
    public static boolean isFree(long party) {
        return (party & PARTY_NUMBER_MASK) == 0;
    }

    /**
     * What a releaser writes into the party word of a dead party's entry: the id with its party number cleared.
     *
     * @param party the dead party's id
     * @return {@code party} with its party number bits cleared, so the entry is free but still tells whose it was
     */
    public static long freed(long party) {
        return party & ~PARTY_NUMBER_MASK;
    }
}
