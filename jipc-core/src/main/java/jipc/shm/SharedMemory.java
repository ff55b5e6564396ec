package jipc.shm;

import java.io.IOException;

/**
 * A shared memory object this process has a handle on: a POSIX object ({@link PosixSharedMemory}), a System V
 * segment ({@link SysVSharedMemory}) or an anonymous memory file ({@link Memfd}).
 *
 * <p>The handle maps the object into this process as {@link Mapping}s and owns them: {@link #close()} unmaps every
 * mapping it made that is still open and releases the handle's own descriptor. Closing never destroys the object
 * itself: a POSIX object lives until {@link PosixSharedMemory#unlink()}, a System V segment until
 * {@link SysVSharedMemory#remove()}, a memfd until its last descriptor and mapping are gone.
 */
public interface SharedMemory extends AutoCloseable {
    /**
     * How the object is named in messages and listings: {@code /name}, {@code key 0x1234abcd (id 5)},
     * {@code memfd:name}.
     *
     * @return a short description for people
     */
    String description();

    /**
     * The object's size in bytes, asked of the kernel now (one {@code fstat} or {@code shmctl(IPC_STAT)}).
     *
     * @return the size in bytes
     * @throws IOException {@link jipc.ErrnoException} if {@code fstat} or {@code shmctl} fails (e.g. a removed System V
     *     segment)
     */
    long size() throws IOException;

    /**
     * Maps the whole object for reading and writing. See each kind for what it costs; file-backed kinds reserve
     * their pages here so a full tmpfs is an exception now, not a SIGBUS later.
     *
     * @return the mapping; close it to unmap
     * @throws IOException {@link jipc.ErrnoException} from {@code mmap} or {@code shmat} (EACCES for a read-only
     *     handle), or from reserving the pages (ENOSPC)
     */
    Mapping map() throws IOException;

    /**
     * Maps the whole object for reading only; writes through the mapping throw instead of faulting.
     *
     * @return the read-only mapping; close it to unmap
     * @throws IOException {@link jipc.ErrnoException} from {@code mmap} or {@code shmat} (EACCES if the mode forbids
     *     reading)
     */
    Mapping mapReadOnly() throws IOException;

    /** Unmaps the mappings this handle made and releases the handle. Idempotent; the object itself stays. */
    @Override
    void close();
}
