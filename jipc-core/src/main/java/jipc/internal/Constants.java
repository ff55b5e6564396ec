package jipc.internal;

/**
 * Numbers from Linux x86-64 and glibc headers that the bindings pass through. Values were checked against
 * {@code <fcntl.h>}, {@code <poll.h>}, {@code <spawn.h>} and {@code <sys/stat.h>} with gcc on the build machine.
 */
public final class Constants {
    private Constants() {
    }

    // open(2) flags (octal in the headers)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;

    // fcntl(2) commands
    public static final int F_DUPFD = 0;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_SETPIPE_SZ = 1031;
    public static final int F_GETPIPE_SZ = 1032;
    public static final int FD_CLOEXEC = 1;
    /** Open file description locks (Linux 3.15+): owned by the open file description, not the process. */
    public static final int F_OFD_GETLK = 36;
    public static final int F_OFD_SETLK = 37;
    public static final short F_RDLCK = 0;
    public static final short F_WRLCK = 1;
    public static final short F_UNLCK = 2;
    public static final short SEEK_SET = 0;
    // struct flock (x86-64): short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid;
    public static final long FLOCK_SIZE = 32;
    public static final long FLOCK_TYPE_OFFSET = 0;
    public static final long FLOCK_WHENCE_OFFSET = 2;
    public static final long FLOCK_START_OFFSET = 8;
    public static final long FLOCK_LEN_OFFSET = 16;
    public static final long FLOCK_PID_OFFSET = 24;

    // preadv2/pwritev2(2): struct iovec { void *iov_base; size_t iov_len; }
    public static final int RWF_NOWAIT = 0x00000008;
    public static final long IOVEC_SIZE = 16;
    public static final long IOVEC_LEN_OFFSET = 8;

    // epoll(7): struct epoll_event { uint32_t events; epoll_data_t data; } packed on x86-64 (12 bytes)
    public static final int EPOLL_CLOEXEC = 02000000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLONESHOT = 1 << 30;
    public static final long EPOLL_EVENT_SIZE = 12;
    public static final long EPOLL_EVENT_DATA_OFFSET = 4;

    // ioctl(2)
    public static final long FIONREAD = 0x541B;

    // poll(2): struct pollfd { int fd; short events; short revents; }
    public static final short POLLIN = 0x001;
    public static final short POLLOUT = 0x004;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;
    public static final long POLLFD_SIZE = 8;
    public static final long POLLFD_EVENTS_OFFSET = 4;
    public static final long POLLFD_REVENTS_OFFSET = 6;

    // struct stat (x86-64)
    public static final long STAT_SIZE = 144;
    public static final long STAT_DEV_OFFSET = 0;
    public static final long STAT_INO_OFFSET = 8;
    public static final long STAT_MODE_OFFSET = 24;
    public static final long STAT_UID_OFFSET = 28;
    public static final long STAT_GID_OFFSET = 32;
    public static final long STAT_SIZE_OFFSET = 48;
    public static final int S_IFMT = 0170000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFCHR = 0020000;

    // *at(2)
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** renameat2(2): fail with EEXIST instead of replacing the target. */
    public static final int RENAME_NOREPLACE = 1;

    // wait(2)
    public static final int WNOHANG = 1;

    // signals
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    // posix_spawn (glibc): opaque types, sized from <spawn.h> with room to spare
    public static final long POSIX_SPAWN_FILE_ACTIONS_SIZE = 80;
    public static final long POSIX_SPAWNATTR_SIZE = 336;
    public static final long SIGSET_SIZE = 128;
    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    // system call numbers (x86-64)
    public static final long SYS_pidfd_send_signal = 424;
    public static final long SYS_pidfd_open = 434;
    public static final long SYS_futex = 202;

    /** PIPE_BUF from {@code <limits.h>}: writes of at most this many bytes to a pipe are atomic. */
    public static final int PIPE_BUF = 4096;
}
