package jipc.sync;

/**
 * The byte layout of a {@link Semaphore} in shared memory: 16 bytes at a 4-byte aligned address, all fields
 * native-endian (little-endian on x86-64) 32-bit integers. A C program that follows {@code docs/sync-format.md}
 * uses the same words.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  count: permits available now, 0..max   (the futex word)      |  0
 *  +---------------------------------------------------------------+
 *  |  waiters: threads that are sleeping or about to sleep on count|  4
 *  +---------------------------------------------------------------+
 *  |  max: highest count (1 for a binary semaphore)                |  8
 *  +---------------------------------------------------------------+
 *  |  magic: 0x4A534D31 ("JSM1"), written last by create           | 12
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Protocol (all read-modify-writes are sequentially consistent atomics):
 * <ul>
 *   <li>acquire: compare-and-set {@code count} from {@code c > 0} to {@code c - 1}. If {@code count} is 0 (after a
 *       short spin): add 1 to {@code waiters}, re-check {@code count}, {@code FUTEX_WAIT(&count, 0)}, retry, and
 *       subtract 1 from {@code waiters} when done.</li>
 *   <li>release(n): compare-and-set {@code count} from {@code c} to {@code c + n} (refused above {@code max}), then
 *       if {@code waiters > 0}: {@code FUTEX_WAKE(&count, n)}. No system call when nobody sleeps.</li>
 * </ul>
 * The waiter increments {@code waiters} before it looks at {@code count}, and the releaser changes {@code count}
 * before it looks at {@code waiters}: with both steps sequentially consistent, either the releaser sees the waiter,
 * or the waiter sees the permit (or the kernel's compare in {@code FUTEX_WAIT} does). Several semaphores may sit in
 * one segment; put them 64 bytes apart if different processes hammer them, so they do not share a cache line.
 */
public final class SemaphoreDescriptor {
    private SemaphoreDescriptor() {
    }

    /** Offset of {@code count}, the futex word: permits available now. */
    public static final long COUNT_OFFSET = 0;
    /** Offset of {@code waiters}: how many threads (in any process) sleep or are about to sleep on {@code count}. */
    public static final long WAITERS_OFFSET = 4;
    /** Offset of {@code max}: the highest value of {@code count}; 1 makes a binary semaphore. */
    public static final long MAX_OFFSET = 8;
    /** Offset of {@code magic}: {@link #MAGIC} once {@code create} has initialised the other fields. */
    public static final long MAGIC_OFFSET = 12;
    /** Size of a semaphore in bytes. */
    public static final long LENGTH = 16;
    /** Required alignment of a semaphore's address (the futex word must be 4-byte aligned). */
    public static final long ALIGNMENT = 4;
    /** "JSM1" in ASCII: the magic of layout version 1. */
    public static final int MAGIC = 0x4A534D31;
}
