package jipc.bench.rpc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jipc.bench.Crew;
import jipc.bench.CrewMember;
import jipc.bench.ProcessCpu;
import jipc.channel.WaitStrategy;
import jipc.rpc.RpcClient;
import jipc.rpc.RpcService;
import jipc.rpc.SharedRpc;

/**
 * One end of a request/response pair in Java, run as its own JVM by {@link RpcBenchmark}: the Java twin of
 * {@code rpc_bench.c}, with the same arguments and {@link Crew} protocol.
 *
 * <pre>
 *   RpcPeer unix-server|unix-client SIZE PATH [SAMPLES]   JDK SocketChannel over an AF_UNIX stream socket
 *   RpcPeer rpc-service|rpc-client SIZE NAME [SAMPLES]    jipc.rpc over the shared memory object NAME, waiting
 *                                                         hybrid (jipc.rpc's default: a short spin, then futex)
 *   RpcPeer rpc-service-futex|rpc-client-futex SIZE NAME [SAMPLES]   the same, sleeping in FUTEX_WAIT at once
 * </pre>
 * Per block the client makes COUNT calls of SIZE bytes (its sequence number in the first 8), each answered with the
 * same bytes, and appends every round trip's nanoseconds to SAMPLES; the server answers COUNT. The jipc client uses
 * {@link RpcClient#call(int, MemorySegment, Duration, jipc.rpc.ResponseHandler)} (one copy of the request; the
 * response read in place), the service {@link RpcService#poll} answering each request with
 * {@link jipc.rpc.Responder#respond(int, MemorySegment)} straight from the request ring.
 */
public final class RpcPeer {
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(60);

    private RpcPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: RpcPeer unix-server|unix-client|rpc-service[-futex]|rpc-client[-futex] SIZE"
                    + " PATH|NAME [SAMPLES]");
            System.exit(64);
        }
        String role = args[0];
        int size = Integer.parseInt(args[1]);
        String endpoint = args[2];
        Path samples = args.length > 3 ? Path.of(args[3]) : null;
        if (size < Long.BYTES) {
            throw new IllegalArgumentException("SIZE=" + size + " < 8: a request carries its sequence number");
        }
        ProcessCpu.nanos();
        switch (role) {
            case "unix-server", "unix-client" -> unix(role.equals("unix-client"), size, Path.of(endpoint), samples);
            case "rpc-service", "rpc-client" -> rpc(role.equals("rpc-client"), WaitStrategy.hybrid(), size, endpoint,
                    samples);
            case "rpc-service-futex", "rpc-client-futex" -> rpc(role.equals("rpc-client-futex"), WaitStrategy.futex(),
                    size, endpoint, samples);
            default -> throw new IllegalArgumentException("role: unix-server, unix-client, rpc-service or rpc-client: "
                    + role);
        }
    }

    /** A client's block: COUNT round trips of {@code call}, timed; the report with their median. */
    private interface Call {
        long call(long seq) throws Exception;
    }

    private static CrewMember.Role client(Call call, Path samples) {
        long[] next = {0};
        long[][] times = {new long[0]};
        return count -> {
            if (times[0].length < count) {
                times[0] = new long[(int) count];
            }
            long[] t = times[0];
            long t0 = System.nanoTime();
            long cpu = ProcessCpu.nanos();
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                long seq = next[0]++;
                long echoed = call.call(seq);
                if (echoed != seq) {
                    throw new IOException("answer " + echoed + " to request " + seq);
                }
                t[i] = System.nanoTime() - start;
            }
            long t1 = System.nanoTime();
            long cpuUsed = ProcessCpu.nanos() - cpu;
            if (samples != null) {
                CrewMember.appendSamples(samples, t, (int) count);
            }
            return new Crew.Report(t0, t1, cpuUsed, count, 0, CrewMember.median(t, (int) count));
        };
    }

    private static void unix(boolean client, int size, Path path, Path samples) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        if (client) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try {
                    channel.connect(UnixDomainSocketAddress.of(path));
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    channel.close();
                    Thread.sleep(1);
                    channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                }
            }
            SocketChannel c = channel;
            CrewMember.serve(client(seq -> {
                buffer.clear();
                buffer.putLong(0, seq);
                writeFully(c, buffer);
                buffer.clear();
                readFully(c, buffer);
                return buffer.getLong(0);
            }, samples));
            c.close();
        } else {
            SocketChannel c;
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path), 1);
                c = server.accept();
            }
            Files.deleteIfExists(path);
            CrewMember.serve(count -> {
                long t0 = System.nanoTime();
                long cpu = ProcessCpu.nanos();
                for (long i = 0; i < count; i++) {
                    buffer.clear();
                    readFully(c, buffer);
                    buffer.flip();
                    writeFully(c, buffer);
                }
                return new Crew.Report(t0, System.nanoTime(), ProcessCpu.nanos() - cpu, count, 0, 0);
            });
            c.close();
        }
    }

    private static void readFully(SocketChannel c, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (c.read(buffer) < 0) {
                throw new IOException("end of stream");
            }
        }
    }

    private static void writeFully(SocketChannel c, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            c.write(buffer);
        }
    }

    private static void rpc(boolean client, WaitStrategy wait, int size, String name, Path samples)
            throws Exception {
        try (SharedRpc rpc = SharedRpc.attach(name); Arena arena = Arena.ofConfined()) {
            if (client) {
                RpcClient c = rpc.client().waitStrategy(wait);
                MemorySegment request = arena.allocate(size, 8);
                CrewMember.serve(client(seq -> {
                    request.set(ValueLayout.JAVA_LONG, 0, seq);
                    return c.call(1, request, CALL_DEADLINE, (type, response) ->
                            response.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                }, samples));
            } else {
                RpcService service = rpc.service().waitStrategy(wait);
                CrewMember.serve(count -> {
                    long t0 = System.nanoTime();
                    long cpu = ProcessCpu.nanos();
                    long done = 0;
                    while (done < count) {
                        done += service.poll((type, request, responder) -> responder.respond(type, request), 1,
                                null);
                    }
                    return new Crew.Report(t0, System.nanoTime(), ProcessCpu.nanos() - cpu, count, 0, 0);
                });
            }
        }
    }
}
