package jipc.internal;

/**
 * Numbers from Linux x86-64 and glibc headers for semaphores. Values were printed by a C program compiled with gcc
 * (glibc 2.36) on the build machine from {@code <semaphore.h>}, {@code <sys/sem.h>}, {@code <sys/ipc.h>} and
 * {@code <time.h>}. The System V {@code IPC_*} numbers shared with shared memory are in {@link ShmConstants}.
 */
public final class SemConstants {
    private SemConstants() {
    }

    /** glibc's {@code SEM_FAILED}: {@code ((sem_t *) 0)} (not -1, as some other C libraries have it). */
    public static final long SEM_FAILED = 0L;
    /** {@code SEM_VALUE_MAX}: the highest value of a POSIX semaphore. */
    public static final int SEM_VALUE_MAX = Integer.MAX_VALUE;
    /** The longest POSIX semaphore name after its '/': NAME_MAX minus the {@code "sem."} glibc puts in front. */
    public static final int SEM_NAME_MAX = ShmConstants.NAME_MAX - 4;

    // clock_gettime(2)
    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_MONOTONIC = 1;

    // semop(2) sem_flg
    public static final short IPC_NOWAIT = 04000;
    public static final short SEM_UNDO = 010000;

    // semctl(2) commands
    public static final int GETPID = 11;
    public static final int GETVAL = 12;
    public static final int GETALL = 13;
    public static final int GETNCNT = 14;
    public static final int GETZCNT = 15;
    public static final int SETVAL = 16;
    public static final int SETALL = 17;

    /** {@code SEMVMX}: the highest value of a System V semaphore (kernel {@code ipc/sem.c}). */
    public static final int SEMVMX = 32767;
}
