package jipc.shm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import jipc.ErrnoException;
import jipc.internal.Errno;
import jipc.internal.LibShm;
import jipc.internal.Native;
import jipc.internal.ShmConstants;
import jipc.io.Fd;

/**
 * Sizes, reserves and maps file-backed shared memory (POSIX objects and memfds, both tmpfs files): the steps those
 * two kinds share.
 */
final class FileMapper {
    private FileMapper() {
    }

    private static final int EOPNOTSUPP = 95;

    /**
     * Maps the whole object ({@code mmap(MAP_SHARED)}) at its current size. A read-write mapping then reserves every
     * page with {@code fallocate(FALLOC_FL_KEEP_SIZE)}: a sparse object (one a peer sized with {@code ftruncate})
     * gets its memory now, so a full tmpfs is an {@code ENOSPC} here instead of a SIGBUS on a later write.
     *
     * @param what how messages name the object, e.g. {@code "/name"} in quotes
     */
    static Mapping map(Fd fd, boolean readOnly, String what, MappingSet owner) throws IOException {
        long size = fd.stat().size();
        if (!readOnly) {
            MemoryBudget.checkBackable("fallocate", what, size); // a peer may have ftruncated it to any size
        }
        int number = fd.acquire();
        try {
            int prot = readOnly ? ShmConstants.PROT_READ : ShmConstants.PROT_READ | ShmConstants.PROT_WRITE;
            MemorySegment address = LibShm.mmap(MemorySegment.NULL, size, prot, ShmConstants.MAP_SHARED, number, 0);
            if (address.address() == ShmConstants.MAP_FAILED) {
                throw Errno.last("mmap", what + ", " + size + " bytes, "
                        + (readOnly ? "PROT_READ" : "PROT_READ|PROT_WRITE") + ", MAP_SHARED");
            }
            if (!readOnly) {
                try {
                    fallocate(number, ShmConstants.FALLOC_FL_KEEP_SIZE, size, what);
                } catch (ErrnoException e) {
                    LibShm.munmap(address, size);
                    throw e;
                }
            }
            // munmap fails only for bad arguments, which these are not; a failure at close could not be acted on.
            Mapping mapping = Mapping.of(address, size, readOnly, what, start -> LibShm.munmap(start, size), owner);
            return owner.add(mapping);
        } finally {
            fd.release();
        }
    }

    /**
     * Makes the object at least {@code size} bytes long with its pages allocated ({@code fallocate(fd, 0, 0, size)}),
     * so a full tmpfs fails here with ENOSPC. Where the file system cannot preallocate it falls back to
     * {@code ftruncate} (growing only). Growth beyond the memory available is refused first ({@link MemoryBudget}):
     * a memfd's tmpfs has no limit, and reserving too much there is the OOM killer, not ENOSPC.
     */
    static void growAndReserve(int fd, long size, long currentSize, String what) throws ErrnoException {
        MemoryBudget.checkReservation("fallocate", what, size - Math.min(size, currentSize));
        if (!fallocate(fd, 0, size, what) && currentSize < size && LibShm.ftruncate(fd, size) < 0) {
            throw Errno.last("ftruncate", what + ", " + size);
        }
    }

    /** {@code fallocate(fd, mode, 0, size)} with EINTR retried; false if the file system does not support it. */
    private static boolean fallocate(int fd, int mode, long size, String what) throws ErrnoException {
        for (;;) {
            if (LibShm.fallocate(fd, mode, 0, size) == 0) {
                return true;
            }
            int errno = Native.errno();
            if (errno == Errno.EINTR) {
                continue;
            }
            if (errno == EOPNOTSUPP) {
                return false;
            }
            throw Errno.exception("fallocate", what + ", " + size + " bytes", errno);
        }
    }
}
