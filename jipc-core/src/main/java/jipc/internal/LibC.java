package jipc.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Downcalls to libc for file descriptors, pipes, FIFOs, files and processes.
 *
 * <p>One {@code static final MethodHandle} per symbol with its C prototype as javadoc, each in a holder class of its
 * own so that it is linked when first called, not when this class is (a downcall handle costs some 10 ms of a cold
 * JVM's time to link: 46 of them at once were most of a short-lived process's start), and a thin static wrapper of
 * the same name that returns the raw C result. Functions that report through errno leave it for
 * {@link Native#errno()}; the callers (one layer up) retry {@code EINTR}, branch on the errnos they handle and turn
 * the rest into an exception with {@link Errno#exception}. Negative results never travel further than that.
 * Blocking calls are plain downcalls: they cannot be interrupted by {@link Thread#interrupt()} and pin a virtual
 * thread's carrier while they block.
 */
@SuppressWarnings("restricted")
public final class LibC {
    private LibC() {
    }

    private static final Linker.Option VARIADIC_AFTER_1 = Linker.Option.firstVariadicArg(1);
    private static final Linker.Option VARIADIC_AFTER_2 = Linker.Option.firstVariadicArg(2);

    // ---- file descriptors -----------------------------------------------------------------------------------

    /** {@snippet lang=c : ssize_t read(int fd, void *buf, size_t count); } */
    private static final class Read {
        static final MethodHandle HANDLE = Native.errnoDowncall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    /** {@snippet lang=c : ssize_t write(int fd, const void *buf, size_t count); } */
    private static final class Write {
        static final MethodHandle HANDLE = Native.errnoDowncall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    /** {@snippet lang=c : int close(int fd); } */
    private static final class Close {
        static final MethodHandle HANDLE = Native.errnoDowncall("close",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : int fcntl(int fd, int cmd, ...); } (called with one int argument) */
    private static final class Fcntl {
        static final MethodHandle HANDLE = Native.errnoDowncall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), VARIADIC_AFTER_2);
    }
    /** {@snippet lang=c : int fcntl(int fd, int cmd, ...); } (called with a {@code struct flock *}) */
    private static final class FcntlLock {
        static final MethodHandle HANDLE = Native.errnoDowncall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), VARIADIC_AFTER_2);
    }
    /** {@snippet lang=c : ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags); } */
    private static final class Preadv2 {
        static final MethodHandle HANDLE = Native.errnoDowncall("preadv2",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
    }
    /** {@snippet lang=c : ssize_t pwritev2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags); } */
    private static final class Pwritev2 {
        static final MethodHandle HANDLE = Native.errnoDowncall("pwritev2",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
    }
    /** {@snippet lang=c : int epoll_create1(int flags); } */
    private static final class EpollCreate1 {
        static final MethodHandle HANDLE = Native.errnoDowncall("epoll_create1",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event); } */
    private static final class EpollCtl {
        static final MethodHandle HANDLE = Native.errnoDowncall("epoll_ctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout); } */
    private static final class EpollWait {
        static final MethodHandle HANDLE = Native.errnoDowncall("epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : int fchown(int fd, uid_t owner, gid_t group); } */
    private static final class Fchown {
        static final MethodHandle HANDLE = Native.errnoDowncall("fchown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : int ioctl(int fd, unsigned long request, ...); } (called with an int *) */
    private static final class Ioctl {
        static final MethodHandle HANDLE = Native.errnoDowncall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), VARIADIC_AFTER_2);
    }
    /** {@snippet lang=c : int poll(struct pollfd *fds, nfds_t nfds, int timeout); } */
    private static final class Poll {
        static final MethodHandle HANDLE = Native.errnoDowncall("poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    /** {@snippet lang=c : int pipe2(int pipefd[2], int flags); } */
    private static final class Pipe2 {
        static final MethodHandle HANDLE = Native.errnoDowncall("pipe2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    /** {@snippet lang=c : int fstat(int fd, struct stat *statbuf); } */
    private static final class Fstat {
        static final MethodHandle HANDLE = Native.errnoDowncall("fstat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int fchmod(int fd, mode_t mode); } */
    private static final class Fchmod {
        static final MethodHandle HANDLE = Native.errnoDowncall("fchmod",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    // ---- paths ----------------------------------------------------------------------------------------------

    /** {@snippet lang=c : int open(const char *pathname, int flags, ...); } (called with a mode_t) */
    private static final class Open {
        static final MethodHandle HANDLE = Native.errnoDowncall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), VARIADIC_AFTER_2);
    }
    /** {@snippet lang=c : int mkfifo(const char *pathname, mode_t mode); } */
    private static final class Mkfifo {
        static final MethodHandle HANDLE = Native.errnoDowncall("mkfifo",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    /** {@snippet lang=c : int unlink(const char *pathname); } */
    private static final class Unlink {
        static final MethodHandle HANDLE = Native.errnoDowncall("unlink",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int link(const char *oldpath, const char *newpath); } */
    private static final class Link {
        static final MethodHandle HANDLE = Native.errnoDowncall("link",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    /**
     * {@snippet lang=c :
     * int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
     * }
     */
    private static final class Renameat2 {
        static final MethodHandle HANDLE = Native.errnoDowncall("renameat2",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    }
    /** {@snippet lang=c : int lstat(const char *pathname, struct stat *statbuf); } */
    private static final class Lstat {
        static final MethodHandle HANDLE = Native.errnoDowncall("lstat",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    /** {@snippet lang=c : int fchmodat(int dirfd, const char *pathname, mode_t mode, int flags); } */
    private static final class Fchmodat {
        static final MethodHandle HANDLE = Native.errnoDowncall("fchmodat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    // ---- processes ------------------------------------------------------------------------------------------

    /** {@snippet lang=c : pid_t getpid(void); } */
    private static final class Getpid {
        static final MethodHandle HANDLE = Native.downcall("getpid",
                FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    }
    /** {@snippet lang=c : uid_t geteuid(void); } */
    private static final class Geteuid {
        static final MethodHandle HANDLE = Native.downcall("geteuid",
                FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    }
    /** {@snippet lang=c : gid_t getegid(void); } */
    private static final class Getegid {
        static final MethodHandle HANDLE = Native.downcall("getegid",
                FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    }
    /** {@snippet lang=c : int kill(pid_t pid, int sig); } */
    private static final class Kill {
        static final MethodHandle HANDLE = Native.errnoDowncall("kill",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : pid_t waitpid(pid_t pid, int *wstatus, int options); } */
    private static final class Waitpid {
        static final MethodHandle HANDLE = Native.errnoDowncall("waitpid",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    /** {@snippet lang=c : long syscall(long number, ...); } (called with two ints) */
    private static final class SyscallIi {
        static final MethodHandle HANDLE = Native.errnoDowncall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), VARIADIC_AFTER_1);
    }
    /** {@snippet lang=c : long syscall(long number, ...); } (called with int, int, void *, unsigned int) */
    private static final class SyscallIipi {
        static final MethodHandle HANDLE = Native.errnoDowncall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), VARIADIC_AFTER_1);
    }

    // ---- posix_spawn (returns an error number; does not set errno) ----------------------------------------

    /**
     * {@snippet lang=c :
     * int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *file_actions,
     *                  const posix_spawnattr_t *attrp, char *const argv[], char *const envp[]);
     * }
     */
    private static final class PosixSpawnp {
        static final MethodHandle HANDLE = Native.downcall("posix_spawnp",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    }
    /** {@snippet lang=c : int posix_spawn_file_actions_init(posix_spawn_file_actions_t *file_actions); } */
    private static final class FaInit {
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_init",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *file_actions); } */
    private static final class FaDestroy {
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_destroy",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd); } */
    private static final class FaAdddup2 {
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd); } */
    private static final class FaAddclose {
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_addclose",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    /**
     * {@snippet lang=c :
     * int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path, int oflag,
     *                                      mode_t mode);
     * }
     */
    private static final class FaAddopen {
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_addopen",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    /** {@snippet lang=c : int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *fa, int from); } */
    private static final class FaAddclosefromNp {
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    /** {@snippet lang=c : int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa, const char *path); } */
    private static final class FaAddchdirNp {
        static final MethodHandle HANDLE = Native.downcall("posix_spawn_file_actions_addchdir_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    /** {@snippet lang=c : int posix_spawnattr_init(posix_spawnattr_t *attr); } */
    private static final class AttrInit {
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_init",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int posix_spawnattr_destroy(posix_spawnattr_t *attr); } */
    private static final class AttrDestroy {
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_destroy",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags); } */
    private static final class AttrSetflags {
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_setflags",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    }
    /** {@snippet lang=c : int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *sigmask); } */
    private static final class AttrSetsigmask {
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_setsigmask",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    /** {@snippet lang=c : int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *sigdefault); } */
    private static final class AttrSetsigdefault {
        static final MethodHandle HANDLE = Native.downcall("posix_spawnattr_setsigdefault",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    /** {@snippet lang=c : int sigemptyset(sigset_t *set); } */
    private static final class Sigemptyset {
        static final MethodHandle HANDLE = Native.downcall("sigemptyset",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    /** {@snippet lang=c : int sigfillset(sigset_t *set); } */
    private static final class Sigfillset {
        static final MethodHandle HANDLE = Native.downcall("sigfillset",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    // ---- wrappers -------------------------------------------------------------------------------------------

    public static long read(int fd, MemorySegment buf, long count) {
        try {
            return (long) Read.HANDLE.invokeExact(Native.callState(), fd, buf, count);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long write(int fd, MemorySegment buf, long count) {
        try {
            return (long) Write.HANDLE.invokeExact(Native.callState(), fd, buf, count);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int close(int fd) {
        try {
            return (int) Close.HANDLE.invokeExact(Native.callState(), fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fcntl(int fd, int cmd, int arg) {
        try {
            return (int) Fcntl.HANDLE.invokeExact(Native.callState(), fd, cmd, arg);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code fcntl(fd, cmd, lock)} for the record-lock commands ({@code F_OFD_GETLK}, {@code F_OFD_SETLK}). */
    public static int fcntlLock(int fd, int cmd, MemorySegment lock) {
        try {
            return (int) FcntlLock.HANDLE.invokeExact(Native.callState(), fd, cmd, lock);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long preadv2(int fd, MemorySegment iov, int iovcnt, long offset, int flags) {
        try {
            return (long) Preadv2.HANDLE.invokeExact(Native.callState(), fd, iov, iovcnt, offset, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long pwritev2(int fd, MemorySegment iov, int iovcnt, long offset, int flags) {
        try {
            return (long) Pwritev2.HANDLE.invokeExact(Native.callState(), fd, iov, iovcnt, offset, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int epollCreate1(int flags) {
        try {
            return (int) EpollCreate1.HANDLE.invokeExact(Native.callState(), flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EpollCtl.HANDLE.invokeExact(Native.callState(), epfd, op, fd, event);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try {
            return (int) EpollWait.HANDLE.invokeExact(Native.callState(), epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fchown(int fd, int owner, int group) {
        try {
            return (int) Fchown.HANDLE.invokeExact(Native.callState(), fd, owner, group);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int ioctl(int fd, long request, MemorySegment arg) {
        try {
            return (int) Ioctl.HANDLE.invokeExact(Native.callState(), fd, request, arg);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) Poll.HANDLE.invokeExact(Native.callState(), fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int pipe2(MemorySegment fds, int flags) {
        try {
            return (int) Pipe2.HANDLE.invokeExact(Native.callState(), fds, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fstat(int fd, MemorySegment stat) {
        try {
            return (int) Fstat.HANDLE.invokeExact(Native.callState(), fd, stat);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fchmod(int fd, int mode) {
        try {
            return (int) Fchmod.HANDLE.invokeExact(Native.callState(), fd, mode);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int open(MemorySegment path, int flags, int mode) {
        try {
            return (int) Open.HANDLE.invokeExact(Native.callState(), path, flags, mode);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int mkfifo(MemorySegment path, int mode) {
        try {
            return (int) Mkfifo.HANDLE.invokeExact(Native.callState(), path, mode);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int unlink(MemorySegment path) {
        try {
            return (int) Unlink.HANDLE.invokeExact(Native.callState(), path);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int link(MemorySegment oldPath, MemorySegment newPath) {
        try {
            return (int) Link.HANDLE.invokeExact(Native.callState(), oldPath, newPath);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int renameat2(int oldDirFd, MemorySegment oldPath, int newDirFd, MemorySegment newPath, int flags) {
        try {
            return (int) Renameat2.HANDLE.invokeExact(Native.callState(), oldDirFd, oldPath, newDirFd, newPath, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int lstat(MemorySegment path, MemorySegment stat) {
        try {
            return (int) Lstat.HANDLE.invokeExact(Native.callState(), path, stat);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fchmodat(int dirfd, MemorySegment path, int mode, int flags) {
        try {
            return (int) Fchmodat.HANDLE.invokeExact(Native.callState(), dirfd, path, mode, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int getpid() {
        try {
            return (int) Getpid.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) Geteuid.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int getegid() {
        try {
            return (int) Getegid.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int kill(int pid, int signal) {
        try {
            return (int) Kill.HANDLE.invokeExact(Native.callState(), pid, signal);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int waitpid(int pid, MemorySegment status, int options) {
        try {
            return (int) Waitpid.HANDLE.invokeExact(Native.callState(), pid, status, options);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code pidfd_open(pid, flags)}: an fd that refers to this very process, immune to pid reuse. */
    public static int pidfdOpen(int pid, int flags) {
        try {
            return (int) (long) SyscallIi.HANDLE.invokeExact(Native.callState(), Constants.SYS_pidfd_open, pid, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code pidfd_send_signal(pidfd, sig, NULL, 0)}. */
    public static int pidfdSendSignal(int pidfd, int signal) {
        try {
            return (int) (long) SyscallIipi.HANDLE.invokeExact(Native.callState(), Constants.SYS_pidfd_send_signal,
                    pidfd, signal, MemorySegment.NULL, 0);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int posixSpawnp(MemorySegment pid, MemorySegment file, MemorySegment fileActions,
                                  MemorySegment attr, MemorySegment argv, MemorySegment envp) {
        try {
            return (int) PosixSpawnp.HANDLE.invokeExact(pid, file, fileActions, attr, argv, envp);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fileActionsInit(MemorySegment fa) {
        return invokeInt(FaInit.HANDLE, fa);
    }

    public static int fileActionsDestroy(MemorySegment fa) {
        return invokeInt(FaDestroy.HANDLE, fa);
    }

    public static int fileActionsAddDup2(MemorySegment fa, int fd, int newFd) {
        try {
            return (int) FaAdddup2.HANDLE.invokeExact(fa, fd, newFd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fileActionsAddClose(MemorySegment fa, int fd) {
        try {
            return (int) FaAddclose.HANDLE.invokeExact(fa, fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fileActionsAddOpen(MemorySegment fa, int fd, MemorySegment path, int flags, int mode) {
        try {
            return (int) FaAddopen.HANDLE.invokeExact(fa, fd, path, flags, mode);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fileActionsAddCloseFrom(MemorySegment fa, int from) {
        try {
            return (int) FaAddclosefromNp.HANDLE.invokeExact(fa, from);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fileActionsAddChdir(MemorySegment fa, MemorySegment path) {
        try {
            return (int) FaAddchdirNp.HANDLE.invokeExact(fa, path);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int spawnAttrInit(MemorySegment attr) {
        return invokeInt(AttrInit.HANDLE, attr);
    }

    public static int spawnAttrDestroy(MemorySegment attr) {
        return invokeInt(AttrDestroy.HANDLE, attr);
    }

    public static int spawnAttrSetFlags(MemorySegment attr, short flags) {
        try {
            return (int) AttrSetflags.HANDLE.invokeExact(attr, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int spawnAttrSetSigMask(MemorySegment attr, MemorySegment sigset) {
        return invokeInt(AttrSetsigmask.HANDLE, attr, sigset);
    }

    public static int spawnAttrSetSigDefault(MemorySegment attr, MemorySegment sigset) {
        return invokeInt(AttrSetsigdefault.HANDLE, attr, sigset);
    }

    public static int sigEmptySet(MemorySegment sigset) {
        return invokeInt(Sigemptyset.HANDLE, sigset);
    }

    public static int sigFillSet(MemorySegment sigset) {
        return invokeInt(Sigfillset.HANDLE, sigset);
    }

    private static int invokeInt(MethodHandle handle, MemorySegment a) {
        try {
            return (int) handle.invokeExact(a);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static int invokeInt(MethodHandle handle, MemorySegment a, MemorySegment b) {
        try {
            return (int) handle.invokeExact(a, b);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
