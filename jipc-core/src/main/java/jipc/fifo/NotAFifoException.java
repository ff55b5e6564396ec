package jipc.fifo;

import java.nio.file.FileSystemException;

/** The path exists but is not a FIFO (a regular file, a directory, a symbolic link...), so jipc will not use it. */
public final class NotAFifoException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    NotAFifoException(String path, String what) {
        super(path, null, "is a " + what + ", not a FIFO");
    }

    /** As above, with how it was found out, e.g. the errno of an {@code O_NOFOLLOW} open. */
    NotAFifoException(String path, String what, String detail) {
        super(path, null, "is a " + what + ", not a FIFO: " + detail);
    }
}
