package jipc.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.LibShm;
import jipc.internal.ShmConstants;
import jipc.io.Fd;
import jipc.io.HasFd;

/**
 * An anonymous shared memory file ({@code memfd_create(2)}): memory with no name in any file system, shared by
 * handing its descriptor to another process. It is the Java answer to "create shared memory, then fork": create it,
 * give it to a child with {@code Spawn...fd(3, memfd)}, and the child maps it with {@link #inherit(int)}.
 *
 * <pre>{@code
 * try (Memfd memfd = Memfd.create("frames", 1 << 20);
 *      Mapping m = memfd.map()) {
 *     m.setString(0, "Hello child");
 *     try (ChildProcess child = Spawn.java(Child.class).shareFd(3, memfd).start()) {
 *         child.waitFor();                 // the child: Memfd.inherit(3).map()
 *     }
 * }
 * }</pre>
 *
 * <p>Nothing is left behind: the memory is freed when the last descriptor and the last mapping are gone, in every
 * process. A memfd made with {@link #createSealable(String, long)} accepts {@link Seal}s, promises the kernel holds
 * every process to (a receiver should check {@link #seals()} contains {@link Seal#SHRINK} before trusting a peer
 * not to cut its mapping short, which would raise SIGBUS).
 *
 * <p>Costs: creating is {@code memfd_create} plus {@code fallocate}, which allocates all {@code size} bytes at once
 * (so running out of memory is an ENOSPC/ENOMEM here rather than a SIGBUS later); mapping is {@code fstat},
 * {@code mmap} and, read-write, a {@code fallocate(FALLOC_FL_KEEP_SIZE)} that finds the pages already there.
 */
public final class Memfd implements SharedMemory, HasFd {
    private static final String LINK_PREFIX = "/memfd:";
    private static final String DELETED_SUFFIX = " (deleted)";

    private final String name;
    private final Fd fd;
    private final MappingSet mappings = new MappingSet();

    private Memfd(String name, Fd fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * A new memfd of {@code size} zero bytes ({@code MFD_CLOEXEC}), without sealing.
     *
     * @param name shown in {@code /proc/PID/fd} as {@code memfd:name}; at most 249 bytes, no NUL; need not be unique
     * @param size bytes, {@code > 0}
     * @return the new memfd; close it when done (its memory goes when no descriptor or mapping is left)
     * @throws IOException {@link jipc.ErrnoException} from {@code memfd_create} or {@code fallocate} (ENOSPC, EMFILE,
     *     ...)
     */
    public static Memfd create(String name, long size) throws IOException {
        return create(name, size, ShmConstants.MFD_CLOEXEC);
    }

    /**
     * As {@link #create(String, long)}, with {@code MFD_ALLOW_SEALING} so that {@link #addSeals} works.
     *
     * @param name shown in {@code /proc/PID/fd} as {@code memfd:name}; at most 249 bytes, no NUL
     * @param size bytes, {@code > 0}
     * @return the new memfd, sealable
     * @throws IOException {@link jipc.ErrnoException} from {@code memfd_create} or {@code fallocate} (ENOSPC, EMFILE,
     *     ...)
     */
    public static Memfd createSealable(String name, long size) throws IOException {
        return create(name, size, ShmConstants.MFD_CLOEXEC | ShmConstants.MFD_ALLOW_SEALING);
    }

    private static Memfd create(String name, long size, int flags) throws IOException {
        checkName(name);
        PosixSharedMemory.checkSize(size);
        int number;
        try (Arena arena = Arena.ofConfined()) {
            number = LibShm.memfdCreate(arena.allocateFrom(name), flags);
        }
        String what = Errno.quote(name);
        if (number < 0) {
            throw Errno.last("memfd_create", what + ((flags & ShmConstants.MFD_ALLOW_SEALING) != 0
                    ? ", MFD_CLOEXEC|MFD_ALLOW_SEALING" : ", MFD_CLOEXEC"));
        }
        Fd fd = Fd.adopt(number);
        try {
            FileMapper.growAndReserve(number, size, 0, "memfd:" + name);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new Memfd(name, fd);
    }

    /**
     * Takes ownership of a memfd this process inherited at {@code fdNumber} (placed there by a parent) and marks it
     * close-on-exec so it goes no further by accident.
     *
     * @param fdNumber the inherited descriptor's number
     * @return the memfd, owned by this handle from now on
     * @throws IllegalArgumentException if the descriptor is open but is not a memfd (it is left open, untouched)
     * @throws jipc.ErrnoException      EBADF if nothing is open at {@code fdNumber}
     */
    public static Memfd inherit(int fdNumber) throws IOException {
        if (fdNumber < 0) {
            throw new IllegalArgumentException("fd=" + fdNumber + " < 0");
        }
        // Look before taking ownership: a descriptor that is not a memfd is left open and untouched.
        if (LibC.fcntl(fdNumber, Constants.F_GETFD, 0) < 0) {
            throw Errno.last("fcntl", "fd " + fdNumber + ", F_GETFD");
        }
        String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fdNumber)).toString();
        if (!target.startsWith(LINK_PREFIX)) {
            throw new IllegalArgumentException("fd " + fdNumber + " is not a memfd: it is " + target);
        }
        Fd fd = Fd.inherit(fdNumber);
        String name = target.substring(LINK_PREFIX.length());
        if (name.endsWith(DELETED_SUFFIX)) {
            name = name.substring(0, name.length() - DELETED_SUFFIX.length());
        }
        return new Memfd(name, fd);
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("memfd name \"" + name.replace("\0", "\\0") + "\" must not contain NUL");
        }
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length > ShmConstants.MFD_NAME_MAX) {
            throw new IllegalArgumentException("memfd name is " + length + " bytes, more than "
                    + ShmConstants.MFD_NAME_MAX);
        }
    }

    /**
     * The name given at creation (without the {@code memfd:} prefix).
     *
     * @return the name, as {@code /proc/PID/fd} shows it after {@code memfd:}
     */
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "memfd:" + name;
    }

    /** The descriptor ({@code O_CLOEXEC}); place it in a child with {@code Spawn.fd}/{@code shareFd}. */
    @Override
    public Fd fd() {
        return fd;
    }

    @Override
    public long size() throws IOException {
        return fd.stat().size();
    }

    /**
     * Maps the whole memfd read-write.
     *
     * @throws jipc.ErrnoException EPERM if it is sealed with {@link Seal#WRITE} or {@link Seal#FUTURE_WRITE}
     */
    @Override
    public Mapping map() throws IOException {
        return FileMapper.map(fd, false, description(), mappings);
    }

    @Override
    public Mapping mapReadOnly() throws IOException {
        return FileMapper.map(fd, true, description(), mappings);
    }

    /**
     * Adds seals ({@code fcntl(F_ADD_SEALS)}); seals are never removed.
     *
     * @param seals the seals to add; adding one in force already changes nothing
     * @throws jipc.ErrnoException EPERM if the memfd was not created sealable or is sealed with {@link Seal#SEAL};
     *                             EBUSY for {@link Seal#WRITE} while a writable mapping exists (in any process)
     */
    public void addSeals(Set<Seal> seals) throws IOException {
        Objects.requireNonNull(seals, "seals");
        int bits = Seal.bits(seals);
        fd.fcntl(ShmConstants.F_ADD_SEALS, bits, "F_ADD_SEALS " + seals + " on " + description());
    }

    /**
     * {@link #addSeals(Set)} for the given seals.
     *
     * @param first a seal to add
     * @param more more seals to add
     * @throws IOException as for {@link #addSeals(Set)}
     */
    public void addSeals(Seal first, Seal... more) throws IOException {
        addSeals(EnumSet.of(first, more));
    }

    /**
     * The seals in force ({@code fcntl(F_GET_SEALS)}); for a memfd made without sealing, just {@link Seal#SEAL}.
     *
     * @return the seals in force now, a new set
     * @throws IOException {@link jipc.ErrnoException} if {@code fcntl(F_GET_SEALS)} fails
     */
    public Set<Seal> seals() throws IOException {
        return Seal.of(fd.fcntl(ShmConstants.F_GET_SEALS, 0, "F_GET_SEALS on " + description()));
    }

    /** Unmaps this handle's mappings and closes its descriptor. Idempotent. */
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
        return "Memfd[" + name + (fd.isOpen() ? "" : ", closed") + "]";
    }
}
