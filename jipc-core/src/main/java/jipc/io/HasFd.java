package jipc.io;

/** Anything that owns a file descriptor: a pipe end, a FIFO end, a shared-memory object. */
public interface HasFd {
    /**
     * The owned descriptor; closing it closes the owner's resource.
     *
     * @return the descriptor, the same object on every call
     */
    Fd fd();
}
