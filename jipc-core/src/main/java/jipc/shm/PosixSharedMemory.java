package jipc.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import jipc.ErrnoException;
import jipc.internal.PosixName;
import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.LibShm;
import jipc.internal.Native;
import jipc.internal.ShmConstants;
import jipc.io.Fd;
import jipc.io.HasFd;

/**
 * A POSIX shared memory object ({@code shm_open(3)}): a named file in {@code /dev/shm} that any process knowing the
 * name (and allowed by its mode) can open and map. The same object is {@code shm_open("/name")} in C and
 * {@code multiprocessing.shared_memory.SharedMemory(name="name")} in Python (Python's names lack the '/').
 *
 * <pre>{@code
 * try (PosixSharedMemory shm = PosixSharedMemory.create("/greeting", 4096);
 *      Mapping m = shm.map()) {
 *     m.setString(0, "Hello World");       // a peer that maps "/greeting" reads it at offset 0
 * }
 * PosixSharedMemory.unlink("/greeting");   // or shm.unlink() before closing
 * }</pre>
 *
 * <p>Names: a '/' followed by 1 to 255 bytes (UTF-8) with no other '/' and no NUL, and not {@code "/."} or
 * {@code "/.."}; anything else is an {@link IllegalArgumentException} that says which rule it broke.
 *
 * <p>Creating costs {@code shm_open}, {@code fchmod} (so the mode is exact whatever the umask) and
 * {@code fallocate}, which allocates all {@code size} bytes of memory at once: a full {@code /dev/shm} is an
 * {@link ErrnoException} with ENOSPC from {@code create}, never a SIGBUS later. The handle owns one descriptor
 * ({@code O_CLOEXEC}) and the mappings it made; {@link #close()} releases both, {@link #unlink()} removes the name.
 *
 * <p>What jipc cannot prevent: if another process shrinks the object with {@code ftruncate} while it is mapped here,
 * touching the lost pages raises SIGBUS and ends the JVM. Peers that might do that should use a sealed {@link Memfd}.
 */
public final class PosixSharedMemory implements SharedMemory, HasFd {
    /** The mode objects are created with unless told otherwise: read and write for the owner only. */
    public static final int DEFAULT_MODE = 0600;

    private final String name;
    private final Fd fd;
    private final boolean readOnly;
    private final boolean created;
    private final MappingSet mappings = new MappingSet();

    private PosixSharedMemory(String name, Fd fd, boolean readOnly, boolean created) {
        this.name = name;
        this.fd = fd;
        this.readOnly = readOnly;
        this.created = created;
    }

    // ---- creating and opening ------------------------------------------------------------------------------

    /**
     * Creates a new object of {@code size} bytes with mode 0600. See {@link #create(String, long, int)}.
     *
     * @param name a leading '/' and a name without '/' (the class comment has the rules)
     * @param size bytes, {@code > 0}
     * @return the open object; close it when done (the name stays until {@link #unlink(String)})
     * @throws IOException {@link ErrnoException} EEXIST if the name exists; ENOSPC if {@code /dev/shm} has no room
     */
    public static PosixSharedMemory create(String name, long size) throws IOException {
        return create(name, size, DEFAULT_MODE);
    }

    /**
     * Creates a new object ({@code O_CREAT|O_EXCL}) of {@code size} zero bytes with exactly {@code mode}, all of its
     * memory allocated.
     *
     * @param size bytes, {@code > 0}
     * @param mode permission bits, {@code 0} to {@code 0777}
     * @param name a leading '/' and a name without '/' (the class comment has the rules)
     * @return the open object; close it when done (the name stays until {@link #unlink(String)})
     * @throws ErrnoException EEXIST if the name exists; ENOSPC if {@code /dev/shm} has no room for {@code size} bytes
     *                        (nothing is left behind then); EFBIG for sizes beyond the largest file
     */
    public static PosixSharedMemory create(String name, long size, int mode) throws IOException {
        checkName(name);
        checkSize(size);
        checkMode(mode);
        PosixSharedMemory shm = createExclusive(name, size, mode);
        if (shm == null) {
            throw Errno.exception("shm_open", describe(name, Constants.O_RDWR | Constants.O_CREAT | Constants.O_EXCL,
                    mode), Errno.EEXIST);
        }
        return shm;
    }

    /**
     * {@link #openOrCreate(String, long, int)} with mode 0600 for a new object.
     *
     * @param name a leading '/' and a name without '/' (the class comment has the rules)
     * @param size bytes, {@code > 0}: the size of a new object, the least size of an existing one
     * @return the open object, new or not ({@link #created()})
     * @throws IOException {@link ErrnoException} EACCES if this user may not read and write it; ENOSPC if
     *     {@code /dev/shm} has no room
     */
    public static PosixSharedMemory openOrCreate(String name, long size) throws IOException {
        return openOrCreate(name, size, DEFAULT_MODE);
    }

    /**
     * Opens the object for reading and writing, creating it as {@link #create(String, long, int)} does if it does not
     * exist; {@link #created()} tells which happened. An existing object smaller than {@code size} is grown to
     * {@code size} (never shrunk), so two processes that race to open-or-create both see at least {@code size} bytes.
     *
     * @param name a leading '/' and a name without '/' (the class comment has the rules)
     * @param size bytes, {@code > 0}: the size of a new object, the least size of an existing one
     * @param mode the permission bits of a new object, {@code 0} to {@code 0777}, exactly
     * @return the open object, new or not ({@link #created()})
     * @throws IOException {@link ErrnoException} EACCES if this user may not read and write it; ENOSPC if
     *     {@code /dev/shm} has no room
     */
    public static PosixSharedMemory openOrCreate(String name, long size, int mode) throws IOException {
        checkName(name);
        checkSize(size);
        checkMode(mode);
        for (;;) {
            PosixSharedMemory shm = createExclusive(name, size, mode);
            if (shm != null) {
                return shm;
            }
            Fd fd = openExisting(name, Constants.O_RDWR, true);
            if (fd == null) {
                continue; // unlinked between our two attempts: try to create it again
            }
            try {
                int number = fd.acquire();
                try {
                    long current = fd.stat().size();
                    if (current < size) {
                        FileMapper.growAndReserve(number, size, current, Errno.quote(name));
                    }
                } finally {
                    fd.release();
                }
            } catch (IOException | RuntimeException e) {
                fd.close();
                throw e;
            }
            return new PosixSharedMemory(name, fd, false, false);
        }
    }

    /**
     * Opens an existing object for reading and writing.
     *
     * @param name the object's name, with its leading '/'
     * @return the open object; close it when done
     * @throws ErrnoException ENOENT if there is none; EACCES if its mode does not let this user read and write it
     */
    public static PosixSharedMemory open(String name) throws IOException {
        checkName(name);
        return new PosixSharedMemory(name, openExisting(name, Constants.O_RDWR, false), false, false);
    }

    /**
     * Opens an existing object for reading only; {@link #map()} then fails with EACCES and only
     * {@link #mapReadOnly()} works.
     *
     * @param name the object's name, with its leading '/'
     * @return the open object, read-only; close it when done
     * @throws IOException {@link ErrnoException} ENOENT if there is none; EACCES if this user may not read it
     */
    public static PosixSharedMemory openReadOnly(String name) throws IOException {
        checkName(name);
        return new PosixSharedMemory(name, openExisting(name, Constants.O_RDONLY, false), true, false);
    }

    /**
     * Removes the name ({@code shm_unlink}). Processes that have the object open or mapped keep using it; its memory
     * is freed when the last of them lets go. New opens fail with ENOENT, and a new object may take the name.
     *
     * @param name the object's name, with its leading '/'
     * @throws ErrnoException ENOENT if there is no such object
     */
    public static void unlink(String name) throws IOException {
        checkName(name);
        try (Arena arena = Arena.ofConfined()) {
            if (LibShm.shmUnlink(arena.allocateFrom(name)) < 0) {
                throw Errno.last("shm_unlink", Errno.quote(name));
            }
        }
    }

    /**
     * {@link #unlink(String)} that returns {@code false} instead of failing when there is no such object.
     *
     * @param name the object's name, with its leading '/'
     * @return {@code true} if the name was removed, {@code false} if there was no such object
     * @throws IOException {@link ErrnoException} for any other failure of {@code shm_unlink} (EACCES, ...)
     */
    public static boolean unlinkIfExists(String name) throws IOException {
        try {
            unlink(name);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Checks a name against the rules in the class comment.
     *
     * @param name the name to check
     * @throws IllegalArgumentException naming the rule that {@code name} breaks
     */
    public static void checkName(String name) {
        PosixName.check("shared memory", name, ShmConstants.NAME_MAX, "NAME_MAX=" + ShmConstants.NAME_MAX);
    }

    static void checkSize(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
    }

    static void checkMode(int mode) {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode=0" + Integer.toOctalString(mode) + " has bits outside 0777");
        }
    }

    /** Creates, sets the exact mode and reserves; null if the name already exists. */
    private static PosixSharedMemory createExclusive(String name, long size, int mode) throws IOException {
        int flags = Constants.O_RDWR | Constants.O_CREAT | Constants.O_EXCL;
        int number;
        try (Arena arena = Arena.ofConfined()) {
            number = LibShm.shmOpen(arena.allocateFrom(name), flags, mode);
            if (number < 0) {
                int errno = Native.errno();
                if (errno == Errno.EEXIST) {
                    return null;
                }
                throw Errno.exception("shm_open", describe(name, flags, mode), errno);
            }
        }
        Fd fd = Fd.adopt(number);
        try {
            // The umask narrowed the mode shm_open applied; fchmod is not subject to it.
            if (LibC.fchmod(number, mode) < 0) {
                throw Errno.last("fchmod", Errno.quote(name) + ", 0" + Integer.toOctalString(mode));
            }
            FileMapper.growAndReserve(number, size, 0, Errno.quote(name));
        } catch (IOException | RuntimeException e) {
            fd.close();
            try {
                unlinkIfExists(name); // we created it a moment ago: leave nothing behind
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return new PosixSharedMemory(name, fd, false, true);
    }

    /** Opens without O_CREAT; null on ENOENT if {@code nullIfMissing}. */
    private static Fd openExisting(String name, int flags, boolean nullIfMissing) throws IOException {
        int number;
        try (Arena arena = Arena.ofConfined()) {
            number = LibShm.shmOpen(arena.allocateFrom(name), flags, 0);
        }
        if (number < 0) {
            int errno = Native.errno();
            if (errno == Errno.ENOENT && nullIfMissing) {
                return null;
            }
            throw Errno.exception("shm_open", describe(name, flags, -1), errno);
        }
        return Fd.adopt(number); // glibc's shm_open adds O_CLOEXEC and O_NOFOLLOW
    }

    private static String describe(String name, int flags, int mode) {
        StringBuilder s = new StringBuilder(Errno.quote(name)).append(", ");
        s.append((flags & Constants.O_RDWR) != 0 ? "O_RDWR" : "O_RDONLY");
        if ((flags & Constants.O_CREAT) != 0) {
            s.append("|O_CREAT");
        }
        if ((flags & Constants.O_EXCL) != 0) {
            s.append("|O_EXCL");
        }
        if (mode >= 0) {
            s.append(", 0").append(Integer.toOctalString(mode));
        }
        return s.toString();
    }

    // ---- using ---------------------------------------------------------------------------------------------

    /**
     * The name, with its leading '/'.
     *
     * @return the name given to {@code create} or {@code open}
     */
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return name;
    }

    /** The descriptor ({@code O_CLOEXEC}); hand it to a child with {@code Spawn.shareFd(3, shm)} if needed. */
    @Override
    public Fd fd() {
        return fd;
    }

    /**
     * Whether this handle was opened read-only ({@link #openReadOnly(String)}).
     *
     * @return {@code true} if opened with {@code O_RDONLY}
     */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Whether this handle created the object (always for {@code create}, sometimes for {@code openOrCreate}).
     *
     * @return {@code true} if this handle's {@code shm_open} created the object
     */
    public boolean created() {
        return created;
    }

    /** The object's current size ({@code fstat}). */
    @Override
    public long size() throws IOException {
        return fd.stat().size();
    }

    /**
     * Maps the whole object read-write: {@code fstat}, {@code mmap} and {@code fallocate(FALLOC_FL_KEEP_SIZE)},
     * which allocates pages a peer left sparse (cheap when they are already there).
     *
     * @throws ErrnoException EACCES if the handle is read-only; EINVAL if the object is empty (size 0)
     */
    @Override
    public Mapping map() throws IOException {
        return FileMapper.map(fd, false, Errno.quote(name), mappings);
    }

    /** Maps the whole object read-only: {@code fstat} and {@code mmap(PROT_READ)}. */
    @Override
    public Mapping mapReadOnly() throws IOException {
        return FileMapper.map(fd, true, Errno.quote(name), mappings);
    }

    /**
     * Removes this object's name; see {@link #unlink(String)}. The handle and its mappings stay usable.
     *
     * @throws IOException {@link ErrnoException} ENOENT if the name was removed already
     */
    public void unlink() throws IOException {
        unlink(name);
    }

    /** Unmaps this handle's mappings and closes its descriptor. Idempotent. The object stays until unlinked. */
    @Override
    public void close() {
        try {
            mappings.closeAll();
        } finally {
            fd.close();
        }
    }

    @Override
    public String toString() {
        return "PosixSharedMemory[" + name + (fd.isOpen() ? "" : ", closed") + "]";
    }
}
