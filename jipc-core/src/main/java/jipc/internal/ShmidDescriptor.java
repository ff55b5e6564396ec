package jipc.internal;

/**
 * The layout of {@code struct shmid_ds} (what {@code shmctl(IPC_STAT)} fills) on Linux x86-64 with glibc.
 *
 * <pre>
 *   0                   4                   8                  12                  16
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | shm_perm.__key    | shm_perm.uid      | shm_perm.gid      | shm_perm.cuid     |  struct ipc_perm
 *   +-------------------+-------------------+-------------------+-------------------+  (48 bytes)
 *   | shm_perm.cgid     | shm_perm.mode     | __seq (u16), pad  | reserved ...      |
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | ... reserved up to byte 48                                                    |
 *   +---------------------------------------+---------------------------------------+
 *   | shm_segsz (size_t)               @ 48 | shm_atime (time_t)               @ 56 |
 *   +---------------------------------------+---------------------------------------+
 *   | shm_dtime (time_t)               @ 64 | shm_ctime (time_t)               @ 72 |
 *   +-------------------+-------------------+---------------------------------------+
 *   | shm_cpid     @ 80 | shm_lpid     @ 84 | shm_nattch (shmatt_t, 8 bytes)   @ 88 |
 *   +-------------------+-------------------+---------------------------------------+
 *   | reserved (16 bytes)                                                 up to 112 |
 *   +-------------------------------------------------------------------------------+
 * </pre>
 *
 * <p>How these numbers were checked: a C program compiled with gcc against glibc 2.36 on the build machine printed
 * {@code sizeof(struct shmid_ds)} (112), {@code sizeof(struct ipc_perm)} (48), {@code sizeof(shmatt_t)} (8),
 * {@code sizeof(((struct ipc_perm *)0)->mode)} (4) and {@code offsetof} of every field used here. The test suite
 * checks them again at run time: a C peer prints its own {@code IPC_STAT} of a segment and the test compares it with
 * what jipc reads through these offsets.
 */
public final class ShmidDescriptor {
    private ShmidDescriptor() {
    }

    public static final long SIZE = 112;
    public static final long ALIGNMENT = 8;

    public static final long PERM_KEY_OFFSET = 0;
    public static final long PERM_UID_OFFSET = 4;
    public static final long PERM_GID_OFFSET = 8;
    public static final long PERM_CUID_OFFSET = 12;
    public static final long PERM_CGID_OFFSET = 16;
    public static final long PERM_MODE_OFFSET = 20;

    public static final long SEGSZ_OFFSET = 48;
    public static final long ATIME_OFFSET = 56;
    public static final long DTIME_OFFSET = 64;
    public static final long CTIME_OFFSET = 72;
    public static final long CPID_OFFSET = 80;
    public static final long LPID_OFFSET = 84;
    public static final long NATTCH_OFFSET = 88;
}
