package jipc.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls to libc for shared memory: POSIX objects ({@code shm_open}), System V segments ({@code shmget}),
 * anonymous memory files ({@code memfd_create}) and the calls that size and map them.
 *
 * <p>Same conventions as {@link LibC}: one {@code static final MethodHandle} per symbol with its C prototype, a thin
 * wrapper returning the raw C result, errno left for {@link Native#errno()}. The numbers these calls take are in
 * {@link ShmConstants}; the layout of {@code struct shmid_ds} is in {@link ShmidDescriptor}. {@code fcntl} (for
 * memfd seals) is {@link LibC#fcntl}.
 */
@SuppressWarnings("restricted")
public final class LibShm {
    private LibShm() {
    }

    // ---- POSIX shared memory objects (glibc >= 2.34 has them in libc itself) ----------------------------------

    /** {@snippet lang=c : int shm_open(const char *name, int oflag, mode_t mode); } */
    private static final class ShmOpen {
        static final MethodHandle HANDLE = Native.errnoDowncall("shm_open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : int shm_unlink(const char *name); } */
    private static final class ShmUnlink {
        static final MethodHandle HANDLE = Native.errnoDowncall("shm_unlink",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    // ---- sizing -------------------------------------------------------------------------------------------

    /** {@snippet lang=c : int ftruncate(int fd, off_t length); } */
    private static final class Ftruncate {
        static final MethodHandle HANDLE = Native.errnoDowncall("ftruncate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    }
    /** {@snippet lang=c : int fallocate(int fd, int mode, off_t offset, off_t len); } */
    private static final class Fallocate {
        static final MethodHandle HANDLE = Native.errnoDowncall("fallocate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    }

    // ---- mapping ------------------------------------------------------------------------------------------

    /** {@snippet lang=c : void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); } */
    private static final class Mmap {
        static final MethodHandle HANDLE = Native.errnoDowncall("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }
    /** {@snippet lang=c : int munmap(void *addr, size_t length); } */
    private static final class Munmap {
        static final MethodHandle HANDLE = Native.errnoDowncall("munmap",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    /** {@snippet lang=c : int madvise(void *addr, size_t length, int advice); } */
    private static final class Madvise {
        static final MethodHandle HANDLE = Native.errnoDowncall("madvise",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    // ---- System V shared memory ---------------------------------------------------------------------------

    /** {@snippet lang=c : key_t ftok(const char *pathname, int proj_id); } */
    private static final class Ftok {
        static final MethodHandle HANDLE = Native.errnoDowncall("ftok",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    /** {@snippet lang=c : int shmget(key_t key, size_t size, int shmflg); } */
    private static final class Shmget {
        static final MethodHandle HANDLE = Native.errnoDowncall("shmget",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    }
    /** {@snippet lang=c : void *shmat(int shmid, const void *shmaddr, int shmflg); } */
    private static final class Shmat {
        static final MethodHandle HANDLE = Native.errnoDowncall("shmat",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    }
    /** {@snippet lang=c : int shmdt(const void *shmaddr); } */
    private static final class Shmdt {
        static final MethodHandle HANDLE = Native.errnoDowncall("shmdt",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int shmctl(int shmid, int cmd, struct shmid_ds *buf); } */
    private static final class Shmctl {
        static final MethodHandle HANDLE = Native.errnoDowncall("shmctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    // ---- memfd --------------------------------------------------------------------------------------------

    /** {@snippet lang=c : int memfd_create(const char *name, unsigned int flags); } */
    private static final class MemfdCreate {
        static final MethodHandle HANDLE = Native.errnoDowncall("memfd_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    // ---- wrappers -----------------------------------------------------------------------------------------

    public static int shmOpen(MemorySegment name, int flags, int mode) {
        try {
            return (int) ShmOpen.HANDLE.invokeExact(Native.callState(), name, flags, mode);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int shmUnlink(MemorySegment name) {
        try {
            return (int) ShmUnlink.HANDLE.invokeExact(Native.callState(), name);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int ftruncate(int fd, long length) {
        try {
            return (int) Ftruncate.HANDLE.invokeExact(Native.callState(), fd, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fallocate(int fd, int mode, long offset, long length) {
        try {
            return (int) Fallocate.HANDLE.invokeExact(Native.callState(), fd, mode, offset, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Returns the mapped address, or an address equal to {@link ShmConstants#MAP_FAILED} on failure. */
    public static MemorySegment mmap(MemorySegment addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return (MemorySegment) Mmap.HANDLE.invokeExact(Native.callState(), addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int munmap(MemorySegment addr, long length) {
        try {
            return (int) Munmap.HANDLE.invokeExact(Native.callState(), addr, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code madvise} over {@code addr}'s first {@code length} bytes (a segment passed here stays mapped meanwhile). */
    public static int madvise(MemorySegment addr, long length, int advice) {
        try {
            return (int) Madvise.HANDLE.invokeExact(Native.callState(), addr, length, advice);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int ftok(MemorySegment path, int projId) {
        try {
            return (int) Ftok.HANDLE.invokeExact(Native.callState(), path, projId);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int shmget(int key, long size, int flags) {
        try {
            return (int) Shmget.HANDLE.invokeExact(Native.callState(), key, size, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Returns the attach address, or an address equal to {@link ShmConstants#SHMAT_FAILED} on failure. */
    public static MemorySegment shmat(int shmid, MemorySegment addr, int flags) {
        try {
            return (MemorySegment) Shmat.HANDLE.invokeExact(Native.callState(), shmid, addr, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int shmdt(MemorySegment addr) {
        try {
            return (int) Shmdt.HANDLE.invokeExact(Native.callState(), addr);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int shmctl(int shmid, int cmd, MemorySegment buf) {
        try {
            return (int) Shmctl.HANDLE.invokeExact(Native.callState(), shmid, cmd, buf);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int memfdCreate(MemorySegment name, int flags) {
        try {
            return (int) MemfdCreate.HANDLE.invokeExact(Native.callState(), name, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
