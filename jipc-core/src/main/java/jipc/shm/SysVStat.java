package jipc.shm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;

import jipc.ErrnoException;
import jipc.internal.Errno;
import jipc.internal.LibShm;
import jipc.internal.ShmConstants;
import jipc.internal.ShmidDescriptor;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the kernel knows about a System V segment ({@code struct shmid_ds} from {@code shmctl(IPC_STAT)}).
 *
 * @param id               the segment id
 * @param key              its key; {@code 0} (IPC_PRIVATE) for a private segment and for one marked for removal
 * @param size             size in bytes ({@code shm_segsz})
 * @param uid              owner ({@code shm_perm.uid})
 * @param gid              owner's group
 * @param creatorUid       the user that created it ({@code shm_perm.cuid})
 * @param creatorGid       that user's group
 * @param mode             permission bits ({@code shm_perm.mode & 0777})
 * @param markedForRemoval whether {@code IPC_RMID} was done and the segment waits for its last detach
 *                         ({@code SHM_DEST})
 * @param attachCount      current attachments, all processes together ({@code shm_nattch})
 * @param creatorPid       the process that created it ({@code shm_cpid})
 * @param lastPid          the process that last attached or detached ({@code shm_lpid})
 * @param lastAttach       time of the last {@code shmat}, {@link Instant#EPOCH} if never
 * @param lastDetach       time of the last {@code shmdt}, {@link Instant#EPOCH} if never
 * @param lastChange       time of creation or the last {@code IPC_SET}
 */
public record SysVStat(int id, int key, long size, int uid, int gid, int creatorUid, int creatorGid, int mode,
                       boolean markedForRemoval, long attachCount, int creatorPid, int lastPid,
                       Instant lastAttach, Instant lastDetach, Instant lastChange) {

    /** {@code shmctl(id, IPC_STAT)}, read through the offsets in {@link ShmidDescriptor}. */
    static SysVStat of(int id) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ds = arena.allocate(ShmidDescriptor.SIZE, ShmidDescriptor.ALIGNMENT);
            if (LibShm.shmctl(id, ShmConstants.IPC_STAT, ds) < 0) {
                throw Errno.last("shmctl", "id " + id + ", IPC_STAT");
            }
            int mode = ds.get(JAVA_INT, ShmidDescriptor.PERM_MODE_OFFSET);
            return new SysVStat(id,
                    ds.get(JAVA_INT, ShmidDescriptor.PERM_KEY_OFFSET),
                    ds.get(JAVA_LONG, ShmidDescriptor.SEGSZ_OFFSET),
                    ds.get(JAVA_INT, ShmidDescriptor.PERM_UID_OFFSET),
                    ds.get(JAVA_INT, ShmidDescriptor.PERM_GID_OFFSET),
                    ds.get(JAVA_INT, ShmidDescriptor.PERM_CUID_OFFSET),
                    ds.get(JAVA_INT, ShmidDescriptor.PERM_CGID_OFFSET),
                    mode & 0777,
                    (mode & ShmConstants.SHM_DEST) != 0,
                    ds.get(JAVA_LONG, ShmidDescriptor.NATTCH_OFFSET),
                    ds.get(JAVA_INT, ShmidDescriptor.CPID_OFFSET),
                    ds.get(JAVA_INT, ShmidDescriptor.LPID_OFFSET),
                    Instant.ofEpochSecond(ds.get(JAVA_LONG, ShmidDescriptor.ATIME_OFFSET)),
                    Instant.ofEpochSecond(ds.get(JAVA_LONG, ShmidDescriptor.DTIME_OFFSET)),
                    Instant.ofEpochSecond(ds.get(JAVA_LONG, ShmidDescriptor.CTIME_OFFSET)));
        }
    }
}
