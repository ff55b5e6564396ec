package jipc.bench.os;

/**
 * A kernel byte stream measured between two processes: its {@link jipc.bench.suite.Result#mechanism()} name, the
 * transport argument of the peers ({@code os_stream.c}, {@link StreamPeer}), and the implementation that is not C.
 */
enum Stream {
    PIPE("pipe", "fds", "jipc"),
    FIFO("fifo", "fifo", "jipc"),
    UNIX_SOCKET("unix socket", "unix", "JDK"),
    TCP_LOOPBACK("tcp loopback", "tcp", "JDK");

    /** The mechanism name of the results. */
    final String mechanism;
    /** The peers' TRANSPORT argument. */
    final String transport;
    /** Who writes the Java side: {@code "jipc"} (our pipe and FIFO ends) or {@code "JDK"} (java.nio sockets). */
    final String javaImplementation;

    Stream(String mechanism, String transport, String javaImplementation) {
        this.mechanism = mechanism;
        this.transport = transport;
        this.javaImplementation = javaImplementation;
    }

    /** Whether this is a pipe underneath (anonymous or named), whose capacity the run sets. */
    boolean isPipe() {
        return this == PIPE || this == FIFO;
    }
}
