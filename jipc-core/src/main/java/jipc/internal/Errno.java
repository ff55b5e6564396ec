package jipc.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import jipc.BrokenPipeException;
import jipc.ErrnoException;

/**
 * errno numbers jipc branches on, and the single place where an errno becomes an {@link ErrnoException}.
 *
 * <p>Names and descriptions come from glibc's thread-safe {@code strerrorname_np}/{@code strerrordesc_np}
 * (glibc 2.32+), so the message shows exactly what {@code errno(1)} would.
 */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENXIO = 6;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;
    public static final int ELOOP = 40;
    public static final int EIDRM = 43;
    public static final int ETIMEDOUT = 110;
    public static final int EOWNERDEAD = 130;
    public static final int ENOTRECOVERABLE = 131;

    /** {@snippet lang=c : const char *strerrorname_np(int errnum); } */
    private static final MethodHandle STRERRORNAME_NP =
            Native.downcall("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    /** {@snippet lang=c : const char *strerrordesc_np(int errnum); } */
    private static final MethodHandle STRERRORDESC_NP =
            Native.downcall("strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** The symbolic name of {@code errno}, e.g. {@code "ENOENT"}, or {@code "errno 1234"} if unknown. */
    public static String name(int errno) {
        String s = cString(STRERRORNAME_NP, errno);
        return s == null ? "errno " + errno : s;
    }

    /** The C library's description of {@code errno}, e.g. {@code "No such file or directory"}. */
    public static String description(int errno) {
        String s = cString(STRERRORDESC_NP, errno);
        return s == null ? "Unknown error " + errno : s;
    }

    private static String cString(MethodHandle handle, int errno) {
        try {
            MemorySegment p = (MemorySegment) handle.invokeExact(errno);
            return p.equals(MemorySegment.NULL) ? null : p.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The exception for {@code syscall(argument)} failing with {@code errno}. */
    public static ErrnoException exception(String syscall, String argument, int errno) {
        if (errno == EPIPE) {
            return new BrokenPipeException(syscall, argument, description(errno));
        }
        return new ErrnoException(syscall, argument, errno, name(errno), description(errno));
    }

    /** The exception for {@code syscall(argument)} with the errno the last downcall on this thread left. */
    public static ErrnoException last(String syscall, String argument) {
        return exception(syscall, argument, Native.errno());
    }

    /** Formats a path argument the way messages show it: in double quotes. */
    public static String quote(String path) {
        return "\"" + path + "\"";
    }
}
