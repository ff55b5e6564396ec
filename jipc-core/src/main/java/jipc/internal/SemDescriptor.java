package jipc.internal;

/**
 * The layouts of {@code struct sembuf} (what {@code semop} takes) and {@code struct semid_ds} (what
 * {@code semctl(IPC_STAT)} fills) on Linux x86-64 with glibc, and of the {@code struct timespec} the timed waits take.
 *
 * <pre>
 *   struct sembuf, 6 bytes, 2-byte aligned (an array of them is packed)
 *   0         2         4         6
 *   +---------+---------+---------+
 *   | sem_num | sem_op  | sem_flg |
 *   |  u16    |  s16    |  s16    |
 *   +---------+---------+---------+
 *
 *   struct semid_ds, 104 bytes, 8-byte aligned
 *   0                   4                   8                  12                  16
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | sem_perm.__key    | sem_perm.uid      | sem_perm.gid      | sem_perm.cuid     |  struct ipc_perm
 *   +-------------------+-------------------+-------------------+-------------------+  (48 bytes)
 *   | sem_perm.cgid     | sem_perm.mode     | __seq (u16), pad  | reserved ...      |
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | ... reserved up to byte 48                                                    |
 *   +---------------------------------------+---------------------------------------+
 *   | sem_otime (time_t)               @ 48 | reserved                         @ 56 |
 *   +---------------------------------------+---------------------------------------+
 *   | sem_ctime (time_t)               @ 64 | reserved                         @ 72 |
 *   +---------------------------------------+---------------------------------------+
 *   | sem_nsems (unsigned long)        @ 80 | reserved (16 bytes)        up to 104  |
 *   +---------------------------------------+---------------------------------------+
 *
 *   struct timespec, 16 bytes: tv_sec (time_t) @ 0, tv_nsec (long) @ 8
 * </pre>
 *
 * <p>How these numbers were checked: a C program compiled with gcc against glibc 2.36 on the build machine printed
 * {@code sizeof(struct sembuf)} (6), {@code offsetof} of {@code sem_num} (0), {@code sem_op} (2), {@code sem_flg}
 * (4); {@code sizeof(struct semid_ds)} (104), {@code sizeof(struct ipc_perm)} (48), {@code offsetof} of
 * {@code sem_otime} (48), {@code sem_ctime} (64), {@code sem_nsems} (80), {@code sizeof(sem_nsems)} (8), and the
 * {@code ipc_perm} offsets (key 0, uid 4, gid 8, cuid 12, cgid 16, mode 20, mode 4 bytes wide). The tests compare
 * what jipc reads through these offsets with what the kernel reports in {@code /proc/sysvipc/sem}.
 */
public final class SemDescriptor {
    private SemDescriptor() {
    }

    public static final long SEMBUF_SIZE = 6;
    public static final long SEMBUF_ALIGNMENT = 2;
    public static final long SEMBUF_NUM_OFFSET = 0;
    public static final long SEMBUF_OP_OFFSET = 2;
    public static final long SEMBUF_FLG_OFFSET = 4;

    public static final long SEMID_DS_SIZE = 104;
    public static final long SEMID_DS_ALIGNMENT = 8;
    public static final long PERM_KEY_OFFSET = 0;
    public static final long PERM_UID_OFFSET = 4;
    public static final long PERM_GID_OFFSET = 8;
    public static final long PERM_CUID_OFFSET = 12;
    public static final long PERM_CGID_OFFSET = 16;
    public static final long PERM_MODE_OFFSET = 20;
    public static final long OTIME_OFFSET = 48;
    public static final long CTIME_OFFSET = 64;
    public static final long NSEMS_OFFSET = 80;

    public static final long TIMESPEC_SIZE = 16;
    public static final long TV_SEC_OFFSET = 0;
    public static final long TV_NSEC_OFFSET = 8;
}
