package jipc.internal;

/**
 * Numbers from Linux x86-64 and glibc headers for shared memory. Values were printed by a C program compiled with gcc
 * (glibc 2.36) on the build machine from {@code <sys/mman.h>}, {@code <sys/ipc.h>}, {@code <sys/shm.h>},
 * {@code <fcntl.h>} and {@code <linux/falloc.h>}.
 */
public final class ShmConstants {
    private ShmConstants() {
    }

    // mmap(2)
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    /** {@code MADV_POPULATE_READ} (Linux 5.14): fault every page of the range in, readable. */
    public static final int MADV_POPULATE_READ = 22;
    /** {@code MADV_POPULATE_WRITE} (Linux 5.14): fault every page of the range in, writable. */
    public static final int MADV_POPULATE_WRITE = 23;
    /** {@code MAP_FAILED}, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    // fallocate(2)
    public static final int FALLOC_FL_KEEP_SIZE = 1;

    // System V IPC (octal in the headers)
    public static final int IPC_PRIVATE = 0;
    public static final int IPC_CREAT = 01000;
    public static final int IPC_EXCL = 02000;
    public static final int IPC_RMID = 0;
    public static final int IPC_SET = 1;
    public static final int IPC_STAT = 2;
    public static final int SHM_RDONLY = 010000;
    /** In {@code shm_perm.mode}: the segment is marked for removal and goes when its last attach detaches. */
    public static final int SHM_DEST = 01000;
    /** In {@code shm_perm.mode}: the segment is locked in memory. */
    public static final int SHM_LOCKED = 02000;
    /** {@code shmat} failure, {@code (void *) -1}. */
    public static final long SHMAT_FAILED = -1L;

    // memfd_create(2)
    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_ALLOW_SEALING = 2;

    // fcntl(2) file seals
    public static final int F_ADD_SEALS = 1033;
    public static final int F_GET_SEALS = 1034;
    public static final int F_SEAL_SEAL = 1;
    public static final int F_SEAL_SHRINK = 2;
    public static final int F_SEAL_GROW = 4;
    public static final int F_SEAL_WRITE = 8;
    public static final int F_SEAL_FUTURE_WRITE = 16;

    /** NAME_MAX: the longest file name, and so the longest POSIX shared memory name after its '/'. */
    public static final int NAME_MAX = 255;
    /** The longest memfd name: 249 bytes ({@code memfd_create(2)}: 255 minus the "memfd:" prefix). */
    public static final int MFD_NAME_MAX = 249;
}
