package jipc;

import java.io.IOException;

/**
 * A system call failed with an errno.
 *
 * <p>The message names the call, its argument and the errno, for example
 * {@code open("/tmp/f") failed: ENXIO (No such device or address)}. Every jipc operation that reaches the kernel
 * reports failure with this type (or a subclass), so callers that want to branch on a particular condition test
 * {@link #errno()} against the numbers in {@code <errno.h>} or use {@link #is(String)} with the symbolic name.
 *
 * <p>This class sits at the bottom of the package graph on purpose: the binding layer creates it, every other layer
 * throws it, and it knows nothing about either.
 */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The C function that failed. */
    private final String syscall;
    /** The argument, as formatted for the message. */
    private final String argument;
    /** The errno value. */
    private final int errno;
    /** The symbolic errno name. */
    private final String errnoName;

    /**
     * A failed system call.
     *
     * @param syscall     the C function that failed, e.g. {@code "shm_open"}
     * @param argument    what it was called on (a path, an fd, a size), already formatted; may be empty
     * @param errno       the errno value
     * @param errnoName   the symbolic name, e.g. {@code "ENOENT"}
     * @param description the C library's description, e.g. {@code "No such file or directory"}
     */
    public ErrnoException(String syscall, String argument, int errno, String errnoName, String description) {
        super(syscall + "(" + argument + ") failed: " + errnoName + " (" + description + ")");
        this.syscall = syscall;
        this.argument = argument;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /**
     * The C function that failed, e.g. {@code "open"}.
     *
     * @return the function's name
     */
    public String syscall() {
        return syscall;
    }

    /**
     * The argument the call was made with, as shown in the message (a quoted path, an fd number, a size).
     *
     * @return the argument as formatted, possibly empty
     */
    public String argument() {
        return argument;
    }

    /**
     * The errno value, as in {@code <errno.h>} on Linux x86-64.
     *
     * @return the errno number
     */
    public int errno() {
        return errno;
    }

    /**
     * The symbolic errno name, e.g. {@code "EACCES"}.
     *
     * @return the name
     */
    public String errnoName() {
        return errnoName;
    }

    /**
     * Whether this failure is the named errno, e.g. {@code e.is("EEXIST")}.
     *
     * @param name a symbolic errno name such as {@code "ENOENT"}
     * @return {@code true} if {@link #errnoName()} equals {@code name}
     */
    public boolean is(String name) {
        return errnoName.equals(name);
    }
}
