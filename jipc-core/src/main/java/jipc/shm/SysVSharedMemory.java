package jipc.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Objects;

import jipc.ErrnoException;
import jipc.internal.Errno;
import jipc.internal.LibShm;
import jipc.internal.Native;
import jipc.internal.ShmConstants;

/**
 * A System V shared memory segment ({@code shmget(2)}): the classic kind, named by a numeric key (often made with
 * {@link #ftok(Path, int)}) or private ({@code IPC_PRIVATE}, reachable only through its id), attached with
 * {@code shmat} and removed with {@code shmctl(IPC_RMID)}. It is what {@code ipcs -m} lists and {@code ipcrm -m}
 * removes.
 *
 * <pre>{@code
 * int key = SysVSharedMemory.ftok(Path.of("/tmp/app"), 'A');
 * try (SysVSharedMemory shm = SysVSharedMemory.create(key, 4096);
 *      Mapping m = shm.map()) {
 *     m.setString(0, "Hello World");   // a C peer: shmat(shmget(key, 0, 0), NULL, 0)
 * }
 * }</pre>
 *
 * <p>A segment outlives every process until {@link #remove()}; {@link #mapAndMarkForRemoval()} attaches and marks it
 * removed in one step, so the kernel frees it when the last process detaches, even one that crashed. The mode is
 * exact (the umask does not apply to System V IPC). Memory is charged to {@code kernel.shmall} at creation (ENOSPC
 * there when exhausted) and its pages are allocated on first touch; segments do not live on {@code /dev/shm}, so its
 * size limit does not apply.
 *
 * <p>This handle holds no descriptor: it is the segment's id plus the mappings ({@code shmat}s) it made, which
 * {@link #close()} detaches. Costs: {@code create}/{@code open} one {@code shmget}; {@link #map()} one
 * {@code shmctl(IPC_STAT)} (for the size) and one {@code shmat}; closing a mapping one {@code shmdt}.
 */
public final class SysVSharedMemory implements SharedMemory {
    /** The mode segments are created with unless told otherwise: read and write for the owner only. */
    public static final int DEFAULT_MODE = 0600;

    private final int id;
    private final int key;
    private final boolean created;
    private final MappingSet mappings = new MappingSet();

    private SysVSharedMemory(int id, int key, boolean created) {
        this.id = id;
        this.key = key;
        this.created = created;
    }

    // ---- keys --------------------------------------------------------------------------------------------

    /**
     * {@code ftok(3)}: a key made from an existing file's inode and device numbers and the low 8 bits of
     * {@code projectId}, so that unrelated processes agree on a key through a path. Different files can give the
     * same key (only 16 bits of the inode are used): prefer creating with {@link #create(int, long)}, which fails
     * with EEXIST rather than sharing a stranger's segment.
     *
     * @param projectId 1 to 255
     * @param path an existing file that every party can {@code stat}
     * @return the key, never {@code IPC_PRIVATE}
     * @throws ErrnoException from the {@code stat} of {@code path}, e.g. ENOENT
     */
    public static int ftok(Path path, int projectId) throws IOException {
        if (projectId < 1 || projectId > 255) {
            throw new IllegalArgumentException("projectId=" + projectId + " must be 1 to 255");
        }
        String name = Objects.requireNonNull(path, "path").toString();
        try (Arena arena = Arena.ofConfined()) {
            int key = LibShm.ftok(arena.allocateFrom(name), projectId);
            if (key == -1) {
                throw Errno.last("ftok", Errno.quote(name) + ", " + projectId);
            }
            return key;
        }
    }

    // ---- creating and opening -----------------------------------------------------------------------------

    /**
     * Creates a new segment for {@code key} with mode 0600. See {@link #create(int, long, int)}.
     *
     * @param key any key but {@code IPC_PRIVATE} (0)
     * @param size bytes, {@code > 0}
     * @return the new segment; close the handle when done (the segment stays until {@link #remove()})
     * @throws IOException {@link ErrnoException} EEXIST if the key has a segment, or as for
     *     {@link #create(int, long, int)}
     */
    public static SysVSharedMemory create(int key, long size) throws IOException {
        return create(key, size, DEFAULT_MODE);
    }

    /**
     * Creates a new segment of {@code size} zero bytes for {@code key} ({@code IPC_CREAT|IPC_EXCL}).
     *
     * @param key  any key but {@code IPC_PRIVATE} (0), for which there is {@link #createPrivate(long, int)}
     * @param size bytes, {@code > 0}
     * @param mode permission bits, {@code 0} to {@code 0777}
     * @return the new segment; close the handle when done (the segment stays until {@link #remove()})
     * @throws ErrnoException EEXIST if the key has a segment; EINVAL if {@code size} is above {@code kernel.shmmax};
     *                        ENOSPC/ENOMEM if the system has no room for it
     */
    public static SysVSharedMemory create(int key, long size, int mode) throws IOException {
        if (key == ShmConstants.IPC_PRIVATE) {
            throw new IllegalArgumentException("key=0 is IPC_PRIVATE: use createPrivate");
        }
        check(size, mode);
        return new SysVSharedMemory(
                shmget(key, size, ShmConstants.IPC_CREAT | ShmConstants.IPC_EXCL | mode, mode), key, true);
    }

    /**
     * A new private segment with mode 0600. See {@link #createPrivate(long, int)}.
     *
     * @param size bytes, {@code > 0}
     * @return the new segment; close the handle when done (the segment stays until {@link #remove()})
     * @throws IOException {@link ErrnoException} ENOSPC or ENOMEM past the system's limits ({@code SHMMNI},
     *     {@code SHMALL})
     */
    public static SysVSharedMemory createPrivate(long size) throws IOException {
        return createPrivate(size, DEFAULT_MODE);
    }

    /**
     * A new segment with key {@code IPC_PRIVATE}: no other process can find it by key, only by its {@link #id()}
     * (pass the number to a child, which uses {@link #ofId(int)}).
     *
     * @param size bytes, {@code > 0}
     * @param mode permission bits, {@code 0} to {@code 0777}
     * @return the new segment; close the handle when done (the segment stays until {@link #remove()})
     * @throws IOException {@link ErrnoException} ENOSPC or ENOMEM past the system's limits ({@code SHMMNI},
     *     {@code SHMALL})
     */
    public static SysVSharedMemory createPrivate(long size, int mode) throws IOException {
        check(size, mode);
        return new SysVSharedMemory(shmget(ShmConstants.IPC_PRIVATE, size, ShmConstants.IPC_CREAT | mode, mode),
                ShmConstants.IPC_PRIVATE, true);
    }

    /**
     * The segment for {@code key}, created with {@code size} bytes and {@code mode} if there is none;
     * {@link #created()} tells which happened.
     *
     * @param mode the permission bits of a new segment
     * @param size bytes, {@code > 0}: the size of a new segment, the least size of an existing one
     * @param key any key but {@code IPC_PRIVATE} (0)
     * @return the segment, new or not ({@link #created()})
     * @throws ErrnoException EINVAL if the existing segment is smaller than {@code size}
     */
    public static SysVSharedMemory openOrCreate(int key, long size, int mode) throws IOException {
        if (key == ShmConstants.IPC_PRIVATE) {
            throw new IllegalArgumentException("key=0 is IPC_PRIVATE: use createPrivate");
        }
        check(size, mode);
        for (;;) {
            int id = LibShm.shmget(key, size, ShmConstants.IPC_CREAT | ShmConstants.IPC_EXCL | mode);
            if (id >= 0) {
                return new SysVSharedMemory(id, key, true);
            }
            if (Native.errno() != Errno.EEXIST) {
                throw Errno.last("shmget", describe(key, size, ShmConstants.IPC_CREAT | ShmConstants.IPC_EXCL, mode));
            }
            id = LibShm.shmget(key, size, 0600);
            if (id >= 0) {
                return new SysVSharedMemory(id, key, false);
            }
            if (Native.errno() != Errno.ENOENT) {
                throw Errno.last("shmget", describe(key, size, 0, 0600));
            }
            // removed between our two calls: try to create it again
        }
    }

    /**
     * The existing segment for {@code key}, checking that this user may read and write it.
     *
     * @param key the segment's key, not {@code IPC_PRIVATE}
     * @return a handle on the segment
     * @throws ErrnoException ENOENT if the key has no segment; EACCES if its mode does not allow read and write
     */
    public static SysVSharedMemory open(int key) throws IOException {
        return new SysVSharedMemory(shmget(key, 0, 0600, -1), key, false);
    }

    /**
     * As {@link #open(int)}, checking only read permission (for {@link #mapReadOnly()}).
     *
     * @param key the segment's key, not {@code IPC_PRIVATE}
     * @return a handle on the segment, for {@link #mapReadOnly()}
     * @throws IOException {@link ErrnoException} ENOENT if the key has no segment; EACCES if its mode does not allow
     *     reading
     */
    public static SysVSharedMemory openReadOnly(int key) throws IOException {
        return new SysVSharedMemory(shmget(key, 0, 0400, -1), key, false);
    }

    /**
     * The segment with id {@code id} (as {@code ipcs -m} shows it, or as another process passed it): one
     * {@code shmctl(IPC_STAT)} checks it exists and reads its key.
     *
     * @param id the segment's id ({@code shmid})
     * @return a handle on the segment
     * @throws ErrnoException EINVAL if there is no such segment (or it was removed and fully detached); EACCES if
     *                        this user may not read it
     */
    public static SysVSharedMemory ofId(int id) throws IOException {
        return new SysVSharedMemory(id, SysVStat.of(id).key(), false);
    }

    /**
     * Marks the segment {@code id} for removal ({@code shmctl(IPC_RMID)}): what {@code ipcrm -m id} does. See
     * {@link #remove()}.
     *
     * @param id the segment's id ({@code shmid})
     * @throws IOException {@link ErrnoException} EPERM if this user neither owns nor created it, EINVAL if there is no
     *     such segment
     */
    public static void remove(int id) throws IOException {
        if (LibShm.shmctl(id, ShmConstants.IPC_RMID, MemorySegment.NULL) < 0) {
            throw Errno.last("shmctl", "id " + id + ", IPC_RMID");
        }
    }

    private static void check(long size, int mode) {
        PosixSharedMemory.checkSize(size);
        PosixSharedMemory.checkMode(mode);
    }

    private static int shmget(int key, long size, int flags, int mode) throws ErrnoException {
        int id = LibShm.shmget(key, size, flags);
        if (id < 0) {
            throw Errno.last("shmget", describe(key, size, flags & ~0777, mode < 0 ? flags & 0777 : mode));
        }
        return id;
    }

    private static String describe(int key, long size, int flags, int mode) {
        StringBuilder s = new StringBuilder(keyName(key)).append(", ").append(size).append(" bytes, ");
        if ((flags & ShmConstants.IPC_CREAT) != 0) {
            s.append("IPC_CREAT|");
        }
        if ((flags & ShmConstants.IPC_EXCL) != 0) {
            s.append("IPC_EXCL|");
        }
        return s.append('0').append(Integer.toOctalString(mode)).toString();
    }

    /** A key as messages and listings show it: {@code key 0x0000abcd}, or {@code IPC_PRIVATE}. */
    static String keyName(int key) {
        return key == ShmConstants.IPC_PRIVATE ? "IPC_PRIVATE" : String.format("key 0x%08x", key);
    }

    // ---- using ---------------------------------------------------------------------------------------------

    /**
     * The segment id ({@code shmid}), the number {@code ipcs -m} shows and {@code ipcrm -m} takes.
     *
     * @return the segment id
     */
    public int id() {
        return id;
    }

    /**
     * The key this handle was made with ({@code 0} for {@code IPC_PRIVATE}).
     *
     * @return the key, {@code 0} for a private segment
     */
    public int key() {
        return key;
    }

    /**
     * Whether this handle created the segment.
     *
     * @return {@code true} if this handle's {@code shmget} created the segment
     */
    public boolean created() {
        return created;
    }

    @Override
    public String description() {
        return keyName(key) + " (id " + id + ")";
    }

    /**
     * What the kernel knows about the segment now ({@code shmctl(IPC_STAT)}).
     *
     * @return the segment's owner, mode, size, attach count, pids and times
     * @throws IOException {@link ErrnoException} EINVAL/EIDRM if the segment is gone, EACCES if this user may not read
     *     it
     */
    public SysVStat stat() throws IOException {
        return SysVStat.of(id);
    }

    @Override
    public long size() throws IOException {
        return stat().size();
    }

    /**
     * Attaches the segment read-write ({@code shmat}).
     *
     * @throws ErrnoException EACCES if this user may not write it; EIDRM/EINVAL if it has been removed
     */
    @Override
    public Mapping map() throws IOException {
        return attach(false);
    }

    /** Attaches the segment read-only ({@code shmat(SHM_RDONLY)}). */
    @Override
    public Mapping mapReadOnly() throws IOException {
        return attach(true);
    }

    /**
     * Attaches read-write, then marks the segment for removal: it stays usable through this mapping (and any
     * other attachment) and the kernel frees it when the last one is detached, however its process ends. New
     * attaches by key are no longer possible; by id they are (Linux allows it until the last detach).
     *
     * @return the read-write mapping; close it to detach
     * @throws IOException {@link ErrnoException} from {@code shmat} or from {@code shmctl(IPC_RMID)} (the mapping is
     *     closed then)
     */
    public Mapping mapAndMarkForRemoval() throws IOException {
        Mapping mapping = attach(false);
        try {
            remove();
        } catch (IOException | RuntimeException e) {
            mapping.close();
            throw e;
        }
        return mapping;
    }

    /**
     * Marks the segment for removal ({@code shmctl(IPC_RMID)}): it goes at once if nothing is attached, else when
     * the last attachment is detached. Attachments, including this handle's mappings, stay usable.
     *
     * @throws IOException {@link ErrnoException} EPERM if this user neither owns nor created the segment, EINVAL/EIDRM
     *     if it is gone
     */
    public void remove() throws IOException {
        if (LibShm.shmctl(id, ShmConstants.IPC_RMID, MemorySegment.NULL) < 0) {
            throw Errno.last("shmctl", description() + ", IPC_RMID");
        }
    }

    private Mapping attach(boolean readOnly) throws IOException {
        if (mappings.isClosed()) {
            throw new ClosedChannelException();
        }
        long size = stat().size();
        MemorySegment address = LibShm.shmat(id, MemorySegment.NULL, readOnly ? ShmConstants.SHM_RDONLY : 0);
        if (address.address() == ShmConstants.SHMAT_FAILED) {
            throw Errno.last("shmat", description() + (readOnly ? ", SHM_RDONLY" : ""));
        }
        // shmdt fails only for an address that is not an attachment, which this is.
        Mapping mapping = Mapping.of(address, size, readOnly, description(), LibShm::shmdt, mappings);
        return mappings.add(mapping);
    }

    /** Detaches the mappings this handle made. Idempotent. The segment stays until removed. */
    @Override
    public void close() {
        mappings.closeAll();
    }

    @Override
    public String toString() {
        return "SysVSharedMemory[" + description() + (mappings.isClosed() ? ", closed" : "") + "]";
    }
}
