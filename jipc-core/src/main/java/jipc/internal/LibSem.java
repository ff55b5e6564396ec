package jipc.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls to libc for kernel-backed semaphores: POSIX named semaphores ({@code sem_open}, living in
 * {@code /dev/shm/sem.NAME}) and System V semaphore sets ({@code semget}/{@code semop}/{@code semctl}).
 *
 * <p>Same conventions as {@link LibC}: one {@code static final MethodHandle} per symbol with its C prototype, a thin
 * wrapper returning the raw C result, errno left for {@link Native#errno()}. Numbers are in {@link SemConstants};
 * the layouts of {@code struct sembuf} and {@code struct semid_ds} are in {@link SemDescriptor}.
 *
 * <p>Variadic functions: {@code sem_open} takes its mode and initial value only with {@code O_CREAT}, after two
 * fixed arguments; {@code semctl} takes its fourth argument (a {@code union semun}: an int or a pointer) after three.
 * Both are declared with {@link Linker.Option#firstVariadicArg(int)}; {@code semctl} has one handle per kind of
 * fourth argument. In the x86-64 calling convention an {@code int} or a pointer passed as the union is passed the
 * same way as the union itself.
 *
 * <p>{@code sem_wait}, {@code sem_timedwait}, {@code sem_clockwait}, {@code semop} and {@code semtimedop} block in
 * the kernel: they cannot be interrupted by {@link Thread#interrupt()} and pin a virtual thread's carrier. Callers
 * wait in bounded slices.
 */
@SuppressWarnings("restricted")
public final class LibSem {
    private LibSem() {
    }

    // ---- POSIX named semaphores ---------------------------------------------------------------------------

    /**
     * {@snippet lang=c :
     * sem_t *sem_open(const char *name, int oflag, ...);
     * // called as sem_open(name, oflag, mode_t mode, unsigned int value)
     * }
     */
    private static final class SemOpen {
        static final MethodHandle HANDLE = Native.errnoDowncall("sem_open",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
    }
    /** {@snippet lang=c : int sem_close(sem_t *sem); } */
    private static final class SemClose {
        static final MethodHandle HANDLE = Native.errnoDowncall("sem_close",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int sem_unlink(const char *name); } */
    private static final class SemUnlink {
        static final MethodHandle HANDLE = Native.errnoDowncall("sem_unlink",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int sem_post(sem_t *sem); } */
    private static final class SemPost {
        static final MethodHandle HANDLE = Native.errnoDowncall("sem_post",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int sem_trywait(sem_t *sem); } */
    private static final class SemTrywait {
        static final MethodHandle HANDLE = Native.errnoDowncall("sem_trywait",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int sem_timedwait(sem_t *sem, const struct timespec *abstime); } */
    private static final class SemTimedwait {
        static final MethodHandle HANDLE = Native.errnoDowncall("sem_timedwait",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    /**
     * {@snippet lang=c : int sem_clockwait(sem_t *sem, clockid_t clockid, const struct timespec *abstime); }
     * (glibc 2.30 and later; {@code null} when libc lacks it).
     */
    private static final class SemClockwait {
        static final MethodHandle HANDLE = Native.has("sem_clockwait")
                ? Native.errnoDowncall("sem_clockwait", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS))
                : null;
    }
    /** {@snippet lang=c : int sem_getvalue(sem_t *sem, int *sval); } */
    private static final class SemGetvalue {
        static final MethodHandle HANDLE = Native.errnoDowncall("sem_getvalue",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    /** {@snippet lang=c : int clock_gettime(clockid_t clockid, struct timespec *tp); } */
    private static final class ClockGettime {
        static final MethodHandle HANDLE = Native.errnoDowncall("clock_gettime",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    // ---- System V semaphore sets --------------------------------------------------------------------------

    /** {@snippet lang=c : int semget(key_t key, int nsems, int semflg); } */
    private static final class Semget {
        static final MethodHandle HANDLE = Native.errnoDowncall("semget",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : int semop(int semid, struct sembuf *sops, size_t nsops); } */
    private static final class Semop {
        static final MethodHandle HANDLE = Native.errnoDowncall("semop",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    /**
     * {@snippet lang=c :
     * int semtimedop(int semid, struct sembuf *sops, size_t nsops, const struct timespec *timeout);
     * }
     */
    private static final class Semtimedop {
        static final MethodHandle HANDLE = Native.errnoDowncall("semtimedop",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    }
    /**
     * {@snippet lang=c :
     * int semctl(int semid, int semnum, int cmd, ...);
     * // called as semctl(semid, semnum, cmd, int val) for SETVAL, GETVAL, IPC_RMID
     * }
     */
    private static final class SemctlInt {
        static final MethodHandle HANDLE = Native.errnoDowncall("semctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(3));
    }
    /**
     * {@snippet lang=c :
     * int semctl(int semid, int semnum, int cmd, ...);
     * // called as semctl(semid, semnum, cmd, void *buf) for IPC_STAT (struct semid_ds *), GETALL (unsigned short *)
     * }
     */
    private static final class SemctlPtr {
        static final MethodHandle HANDLE = Native.errnoDowncall("semctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
                Linker.Option.firstVariadicArg(3));
    }

    // ---- wrappers -----------------------------------------------------------------------------------------

    /**
     * Returns the semaphore's address, or an address for which {@link #semFailed(MemorySegment)} is true. glibc's
     * {@code SEM_FAILED} is {@code (sem_t *) 0}; other C libraries use {@code (sem_t *) -1}.
     */
    public static MemorySegment semOpen(MemorySegment name, int flags, int mode, int value) {
        try {
            return (MemorySegment) SemOpen.HANDLE.invokeExact(Native.callState(), name, flags, mode, value);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Whether {@code sem_open} returned {@code SEM_FAILED} (glibc: 0; other libcs: -1). */
    public static boolean semFailed(MemorySegment sem) {
        return sem.address() == SemConstants.SEM_FAILED || sem.address() == -1L;
    }

    public static int semClose(MemorySegment sem) {
        try {
            return (int) SemClose.HANDLE.invokeExact(Native.callState(), sem);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semUnlink(MemorySegment name) {
        try {
            return (int) SemUnlink.HANDLE.invokeExact(Native.callState(), name);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semPost(MemorySegment sem) {
        try {
            return (int) SemPost.HANDLE.invokeExact(Native.callState(), sem);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semTrywait(MemorySegment sem) {
        try {
            return (int) SemTrywait.HANDLE.invokeExact(Native.callState(), sem);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semTimedwait(MemorySegment sem, MemorySegment abstime) {
        try {
            return (int) SemTimedwait.HANDLE.invokeExact(Native.callState(), sem, abstime);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Whether libc has {@code sem_clockwait}; without it, timed waits use {@code sem_timedwait}. */
    public static boolean hasSemClockwait() {
        return SemClockwait.HANDLE != null;
    }

    public static int semClockwait(MemorySegment sem, int clock, MemorySegment abstime) {
        try {
            return (int) SemClockwait.HANDLE.invokeExact(Native.callState(), sem, clock, abstime);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semGetvalue(MemorySegment sem, MemorySegment value) {
        try {
            return (int) SemGetvalue.HANDLE.invokeExact(Native.callState(), sem, value);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int clockGettime(int clock, MemorySegment timespec) {
        try {
            return (int) ClockGettime.HANDLE.invokeExact(Native.callState(), clock, timespec);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semget(int key, int nsems, int flags) {
        try {
            return (int) Semget.HANDLE.invokeExact(Native.callState(), key, nsems, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semop(int semid, MemorySegment sops, long nsops) {
        try {
            return (int) Semop.HANDLE.invokeExact(Native.callState(), semid, sops, nsops);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semtimedop(int semid, MemorySegment sops, long nsops, MemorySegment timeout) {
        try {
            return (int) Semtimedop.HANDLE.invokeExact(Native.callState(), semid, sops, nsops, timeout);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semctl(int semid, int semnum, int cmd, int value) {
        try {
            return (int) SemctlInt.HANDLE.invokeExact(Native.callState(), semid, semnum, cmd, value);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int semctl(int semid, int semnum, int cmd, MemorySegment buf) {
        try {
            return (int) SemctlPtr.HANDLE.invokeExact(Native.callState(), semid, semnum, cmd, buf);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
