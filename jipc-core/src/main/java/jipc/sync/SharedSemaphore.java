package jipc.sync;

import java.io.IOException;

import jipc.io.FileStat;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;

/**
 * A {@link Semaphore} in a POSIX shared memory object of its own ({@code /dev/shm/NAME}), for processes that share
 * nothing else and find each other by name: one process {@link #create creates} it, the others {@link #open} it.
 *
 * <pre>{@code
 * try (SharedSemaphore turn = SharedSemaphore.createBinary("/app-turn", false)) {   // process A
 *     turn.semaphore().acquire();                       // sleeps until B releases
 * }
 * try (SharedSemaphore turn = SharedSemaphore.open("/app-turn")) {                  // process B
 *     turn.semaphore().release();
 * }
 * SharedSemaphore.unlink("/app-turn");                                               // when nobody needs the name
 * }</pre>
 *
 * <p>The object is exactly {@link SemaphoreDescriptor#LENGTH} (128) bytes, with the semaphore at offset 0 in the
 * layout of {@link SemaphoreDescriptor}, so a C program that maps {@code shm_open(NAME)} uses the same words
 * ({@code docs/sync-format.md}). The handle owns the descriptor and the mapping; the semaphore's operations are
 * those of {@link Semaphore} (no system call uncontended, futex sleep otherwise). Its waiters name their process
 * with a liveness token of the object's permission bits and group, so that every process that may open the object
 * may judge them (and free the entry of one killed asleep).
 *
 * <p>Costs: creating is {@code shm_open}, {@code fchmod}, {@code fallocate}, {@code fstat}, {@code mmap} and the
 * stores of the words; opening is {@code shm_open}, {@code fstat} and {@code mmap}, and only reads the words.
 * {@link #close()} unmaps and closes the descriptor; the object stays until {@link #unlink()}.
 *
 * <p>Races: a process that opens the name while the creator is still initialising the words gets an
 * {@link IllegalArgumentException} (no magic yet); open after the creator has returned, or retry. After
 * {@link #close()} the {@link #semaphore()} throws {@link IllegalStateException} instead of touching unmapped memory;
 * close only once this process's threads have stopped waiting on it.
 */
public final class SharedSemaphore implements AutoCloseable {
    private final PosixSharedMemory shm;
    private final Mapping mapping;
    private final Semaphore semaphore;

    private SharedSemaphore(PosixSharedMemory shm, Mapping mapping, Semaphore semaphore) {
        this.shm = shm;
        this.mapping = mapping;
        this.semaphore = semaphore;
    }

    /**
     * Creates a counting semaphore with mode 0600. See {@link #create(String, int, int)}.
     *
     * @param name the POSIX shared memory name, such as {@code "/app-turn"} (one leading slash, no other)
     * @param permits the starting count, {@code >= 0}
     * @return the open handle; close it to unmap (the name stays until {@link #unlink(String)})
     * @throws IOException {@link jipc.ErrnoException} EEXIST if the name exists, or what {@code shm_open},
     *     {@code fallocate} or {@code mmap} failed with
     */
    public static SharedSemaphore create(String name, int permits) throws IOException {
        return create(name, permits, PosixSharedMemory.DEFAULT_MODE);
    }

    /**
     * Creates the object {@code name} ({@code O_CREAT|O_EXCL}, exactly {@code mode}) and initialises a counting
     * semaphore with {@code permits} permits in it, as {@link Semaphore#create} does.
     *
     * @param mode the object's permission bits, exactly (the umask does not apply)
     * @param permits the starting count, {@code >= 0}
     * @param name the POSIX shared memory name, such as {@code "/app-turn"} (one leading slash, no other)
     * @return the open handle; close it to unmap (the name stays until {@link #unlink(String)})
     * @throws jipc.ErrnoException      EEXIST if the name exists (it is left as it is)
     * @throws IllegalArgumentException if {@code permits < 0}, the name or the mode is invalid (nothing is created)
     */
    public static SharedSemaphore create(String name, int permits, int mode) throws IOException {
        if (permits < 0) {
            throw new IllegalArgumentException("permits=" + permits + " < 0");
        }
        return create(name, mode, mapping -> Semaphore.create(mapping.segment(), 0, permits));
    }

    /**
     * Creates a binary semaphore with mode 0600. See {@link #createBinary(String, boolean, int)}.
     *
     * @param name the POSIX shared memory name, such as {@code "/app-turn"} (one leading slash, no other)
     * @param available whether the count starts at 1
     * @return the open handle; close it to unmap (the name stays until {@link #unlink(String)})
     * @throws IOException {@link jipc.ErrnoException} EEXIST if the name exists, or what {@code shm_open},
     *     {@code fallocate} or {@code mmap} failed with
     */
    public static SharedSemaphore createBinary(String name, boolean available) throws IOException {
        return createBinary(name, available, PosixSharedMemory.DEFAULT_MODE);
    }

    /**
     * Creates the object {@code name} and initialises a binary semaphore in it, as {@link Semaphore#createBinary}
     * does.
     *
     * @param available whether the count starts at 1
     * @param mode the object's permission bits, exactly (the umask does not apply)
     * @param name the POSIX shared memory name, such as {@code "/app-turn"} (one leading slash, no other)
     * @return the open handle; close it to unmap (the name stays until {@link #unlink(String)})
     * @throws jipc.ErrnoException EEXIST if the name exists
     */
    public static SharedSemaphore createBinary(String name, boolean available, int mode) throws IOException {
        return create(name, mode, mapping -> Semaphore.createBinary(mapping.segment(), 0, available));
    }

    private interface Initialiser {
        Semaphore initialise(Mapping mapping);
    }

    private static SharedSemaphore create(String name, int mode, Initialiser initialiser) throws IOException {
        PosixSharedMemory shm = PosixSharedMemory.create(name, SemaphoreDescriptor.LENGTH, mode);
        try {
            FileStat stat = shm.fd().stat();
            Mapping mapping = shm.map();
            Semaphore semaphore = initialiser.initialise(mapping);
            return new SharedSemaphore(shm, mapping, withTokenOf(stat, semaphore));
        } catch (IOException | RuntimeException e) {
            shm.close();
            try {
                PosixSharedMemory.unlinkIfExists(name); // we created it a moment ago: leave nothing behind
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Opens the semaphore another process {@link #create created} under {@code name}: maps the object and checks the
     * magic; writes nothing.
     *
     * @param name the name the creator used
     * @return the open handle; close it to unmap
     * @throws jipc.ErrnoException      ENOENT if there is no such object; EACCES if its mode does not let this user
     *                                  read and write it
     * @throws IllegalArgumentException if the object is too small or holds no semaphore (wrong magic), e.g. a
     *                                  shared memory object of something else, or one whose creator is still
     *                                  initialising it; or if it holds a semaphore of layout version 1
     */
    public static SharedSemaphore open(String name) throws IOException {
        PosixSharedMemory shm = PosixSharedMemory.open(name);
        try {
            FileStat stat = shm.fd().stat();
            long size = stat.size();
            if (size < SemaphoreDescriptor.LENGTH) {
                if (size >= SemaphoreDescriptor.VERSION_1_LENGTH) {
                    try (Mapping old = shm.map()) {
                        Semaphore.refuseVersion1(old.segment(), 0, "shared memory " + name);
                    }
                }
                throw new IllegalArgumentException("no semaphore in shared memory " + name + ": it has " + size
                        + " bytes, a semaphore needs " + SemaphoreDescriptor.LENGTH);
            }
            Mapping mapping = shm.map();
            try {
                return new SharedSemaphore(shm, mapping, withTokenOf(stat, Semaphore.attach(mapping.segment(), 0)));
            } catch (IllegalArgumentException e) {
                mapping.close();
                throw new IllegalArgumentException("shared memory " + name + ": " + e.getMessage(), e);
            }
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /** The semaphore whose waiters use a liveness token of the object's access class (its mode bits and group). */
    private static Semaphore withTokenOf(FileStat stat, Semaphore semaphore) {
        return semaphore.withTokenAccess(stat.permissions() & 0777, stat.gid());
    }

    /**
     * Removes the name ({@code shm_unlink}); processes that have it open keep using the semaphore.
     *
     * @param name the object's name
     * @throws jipc.ErrnoException ENOENT if there is no such object
     */
    public static void unlink(String name) throws IOException {
        PosixSharedMemory.unlink(name);
    }

    /**
     * {@link #unlink(String)} that returns {@code false} instead of failing when there is no such object.
     *
     * @param name the object's name
     * @return {@code true} if the name was removed, {@code false} if there was no such object
     * @throws IOException {@link jipc.ErrnoException} for any other failure of {@code shm_unlink}
     */
    public static boolean unlinkIfExists(String name) throws IOException {
        return PosixSharedMemory.unlinkIfExists(name);
    }

    /**
     * The semaphore, at offset 0 of this handle's mapping.
     *
     * @return the semaphore, valid until {@link #close()}
     */
    public Semaphore semaphore() {
        return semaphore;
    }

    /**
     * The name, with its leading '/'.
     *
     * @return the name given to {@code create} or {@code open}
     */
    public String name() {
        return shm.name();
    }

    /**
     * Removes this semaphore's name; see {@link #unlink(String)}. The handle stays usable.
     *
     * @throws IOException {@link jipc.ErrnoException} ENOENT if the name was removed already
     */
    public void unlink() throws IOException {
        shm.unlink();
    }

    /**
     * Unmaps the semaphore and closes the descriptor. Idempotent. The semaphore and its name stay for other
     * processes until {@link #unlink()}.
     */
    @Override
    public void close() {
        try {
            mapping.close();
        } finally {
            shm.close();
        }
    }

    @Override
    public String toString() {
        return "SharedSemaphore[" + shm.name() + (mapping.isOpen() ? ", " + semaphore : ", closed") + "]";
    }
}
