package jipc.bench.os;

import java.util.List;

/**
 * {@code jipc bench --only socket}: UNIX domain and TCP loopback stream sockets between two processes, the JDK's
 * {@link java.nio.channels.SocketChannel} in two JVMs beside two C processes using the same calls
 * ({@code TCP_NODELAY} on both). jipc has no sockets of its own: these rows place its pipes among the alternatives a
 * Java program has. See {@link StreamBenchmark} for what is measured.
 */
public final class SocketBenchmark extends StreamBenchmark {
    public SocketBenchmark() {
        super(List.of(Stream.UNIX_SOCKET, Stream.TCP_LOOPBACK));
    }

    @Override
    public String id() {
        return "socket";
    }
}
