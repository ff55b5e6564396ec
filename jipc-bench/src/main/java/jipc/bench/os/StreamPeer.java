package jipc.bench.os;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import jipc.fifo.Fifo;
import jipc.internal.LibSem;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One side of a stream benchmark, run as its own JVM by {@link StreamBenchmark}: the Java twin of
 * {@code os_stream.c}, with the same arguments and the same output files, so the two are measured alike.
 *
 * <p>Usage: {@code StreamPeer TRANSPORT ENDPOINT a|b OUTDIR ITEM...} (see {@code os_stream.c} for the items):
 * <ul>
 *   <li>{@code fds -}: jipc pipe ends the harness placed at fd 3 (from the other side) and fd 4 (to it),
 *       {@link ReadEnd#inherit}/{@link WriteEnd#inherit};</li>
 *   <li>{@code fifo DIR}: jipc {@link Fifo}s {@code DIR/ab} and {@code DIR/ba}, each writer setting the capacity;</li>
 *   <li>{@code unix PATH} and {@code tcp FILE}: JDK {@link SocketChannel}s (UNIX domain, or TCP on 127.0.0.1
 *       with {@code TCP_NODELAY}); side b listens and publishes, side a connects.</li>
 * </ul>
 * The item {@code crew:SIZE} (last) makes the peer a {@link jipc.bench.Crew} member for paired throughput blocks.
 * Every read and write goes through {@link ReadableByteChannel}/{@link WritableByteChannel} with one page-aligned
 * direct buffer (no copy on the way to the kernel, for jipc and the JDK alike; aligned as the C side's). CPU time is the whole JVM's (user + system
 * of every thread, so the JIT and GC threads count too, as they would for any Java program).
 */
public final class StreamPeer {
    private static final long CONNECT_TIMEOUT_NANOS = 30_000_000_000L;
    /** {@code CLOCK_PROCESS_CPUTIME_ID} of {@code <time.h>} on Linux. */
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final int PAGE = 4096;

    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final boolean sideA;
    private final Path outdir;
    private final ByteBuffer buffer;
    /** A {@code struct timespec} (two int64 on x86-64) for {@link #cpuNanos()}. */
    private final MemorySegment timespec = Arena.ofAuto().allocate(16, 8);

    private StreamPeer(ReadableByteChannel in, WritableByteChannel out, boolean sideA, Path outdir, int largest) {
        this.in = in;
        this.out = out;
        this.sideA = sideA;
        this.outdir = outdir;
        // Page-aligned like the C side's aligned_alloc(4096): the kernel's copy must not differ by alignment.
        // alignedSlice keeps whole pages only: allocate whole pages plus one, or a small message's buffer could come
        // out empty (an 8 B + 4 KiB allocation 16 bytes past a page boundary holds no whole aligned page).
        int pages = (Math.max(largest, 8) + PAGE - 1) / PAGE;
        this.buffer = ByteBuffer.allocateDirect((pages + 1) * PAGE).alignedSlice(PAGE)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** One item of the run: {@code lat} or {@code tp} with its size and counts, or {@code pipesize}. */
    record Item(String kind, int size, long warmup, long count) {
        static Item parse(String text) {
            String[] parts = text.split(":");
            if (parts.length == 2 && parts[0].equals("pipesize")) {
                return new Item("pipesize", Integer.parseInt(parts[1]), 0, 0);
            }
            if (parts.length == 2 && parts[0].equals("crew")) {
                return new Item("crew", Integer.parseInt(parts[1]), 0, 0);
            }
            if (parts.length != 4 || !(parts[0].equals("lat") || parts[0].equals("tp"))) {
                throw new IllegalArgumentException("unknown item " + text);
            }
            Item item = new Item(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]),
                    Long.parseLong(parts[3]));
            if (item.size < 1 || item.warmup < 0 || item.count < 1) {
                throw new IllegalArgumentException("bad item " + text);
            }
            return item;
        }

        @Override
        public String toString() {
            return kind.equals("pipesize") || kind.equals("crew") ? kind + ":" + size : kind + ":" + size + ":" + warmup + ":" + count;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5 || !(args[2].equals("a") || args[2].equals("b"))) {
            System.err.println("usage: StreamPeer fds|fifo|unix|tcp ENDPOINT a|b OUTDIR ITEM...");
            System.exit(2);
        }
        String transport = args[0];
        String endpoint = args[1];
        boolean sideA = args[2].equals("a");
        Path outdir = Path.of(args[3]);
        List<Item> items = new ArrayList<>();
        int largest = 8;
        int pipeSize = 0;
        for (int i = 4; i < args.length; i++) {
            Item item = Item.parse(args[i]);
            if (item.kind().equals("pipesize")) {
                pipeSize = item.size();
            } else {
                items.add(item);
                largest = Math.max(largest, item.size());
            }
        }
        switch (transport) {
            case "fds" -> {
                try (ReadEnd in = ReadEnd.inherit(3); WriteEnd out = WriteEnd.inherit(4)) {
                    new StreamPeer(in, out, sideA, outdir, largest).run(items);
                }
            }
            case "fifo" -> runFifo(Path.of(endpoint), sideA, outdir, largest, pipeSize, items);
            case "unix", "tcp" -> {
                try (SocketChannel socket = connect(transport.equals("tcp"), endpoint, sideA)) {
                    new StreamPeer(socket, socket, sideA, outdir, largest).run(items);
                }
            }
            default -> {
                System.err.println("StreamPeer: unknown transport " + transport);
                System.exit(2);
            }
        }
    }

    /** Opens both FIFOs in the order of {@code os_stream.c} (ab, then ba, on both sides: no deadlock). */
    private static void runFifo(Path dir, boolean sideA, Path outdir, int largest, int pipeSize, List<Item> items)
            throws IOException {
        Fifo ab = Fifo.at(dir.resolve("ab"));
        Fifo ba = Fifo.at(dir.resolve("ba"));
        if (sideA) {
            try (WriteEnd out = ab.openWrite()) {
                capacity(out, pipeSize);
                try (ReadEnd in = ba.openRead()) {
                    new StreamPeer(in, out, true, outdir, largest).run(items);
                }
            }
        } else {
            try (ReadEnd in = ab.openRead(); WriteEnd out = ba.openWrite()) {
                capacity(out, pipeSize);
                new StreamPeer(in, out, false, outdir, largest).run(items);
            }
        }
    }

    private static void capacity(WriteEnd out, int pipeSize) throws IOException {
        if (pipeSize > 0) {
            out.setPipeCapacity(pipeSize);
        }
    }

    private static SocketChannel connect(boolean tcp, String endpoint, boolean sideA) throws IOException,
            InterruptedException {
        Path ready = Path.of(tcp ? endpoint : endpoint + ".ready");
        SocketChannel socket;
        if (sideA) {
            long port = awaitReady(ready);
            socket = tcp ? SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), (int) port))
                    : SocketChannel.open(UnixDomainSocketAddress.of(endpoint));
        } else {
            try (ServerSocketChannel server = tcp ? ServerSocketChannel.open()
                    : ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                if (tcp) {
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                } else {
                    server.bind(UnixDomainSocketAddress.of(endpoint), 1);
                }
                long port = tcp ? ((InetSocketAddress) server.getLocalAddress()).getPort() : 0;
                Path temporary = Path.of(ready + ".tmp");
                Files.writeString(temporary, port + "\n");
                Files.move(temporary, ready, StandardCopyOption.ATOMIC_MOVE);
                socket = server.accept();
            }
        }
        if (tcp) {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        return socket;
    }

    private static long awaitReady(Path ready) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
        for (;;) {
            if (Files.exists(ready)) {
                String text = Files.readString(ready).strip();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("side b did not get ready in 30 s: no " + ready);
            }
            Thread.sleep(1);
        }
    }

    private void run(List<Item> items) throws IOException {
        for (Item item : items) {
            if (item.kind().equals("lat")) {
                latency(item);
            } else if (item.kind().equals("crew")) {
                crew(item.size());
            } else {
                throughput(item);
            }
        }
    }

    // ---- latency -------------------------------------------------------------------------------------------

    private void latency(Item item) throws IOException {
        int size = item.size();
        long total = item.warmup() + item.count();
        if (!sideA) {
            for (long i = 0; i < total; i++) {
                echo(size);
            }
            return;
        }
        long[] samples = new long[Math.toIntExact(item.count())];
        for (long i = 0; i < total; i++) {
            long nanos = roundTrip(size, i);
            if (i >= item.warmup()) {
                samples[(int) (i - item.warmup())] = nanos;
            }
        }
        ByteBuffer bytes = ByteBuffer.allocate(samples.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(samples);
        try (FileChannel file = FileChannel.open(outdir.resolve("lat-" + size + ".samples"),
                StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
        }
    }

    /** Side a: sends message {@code sequence}, waits for all of it to come back; returns the nanoseconds. */
    private long roundTrip(int size, long sequence) throws IOException {
        if (size >= 8) {
            buffer.putLong(0, sequence);
        }
        long start = System.nanoTime();
        writeFully(size);
        readFully(size);
        long nanos = System.nanoTime() - start;
        if (size >= 8 && buffer.getLong(0) != sequence) {
            throw new IOException("latency: the echo of message " + sequence + " carries " + buffer.getLong(0));
        }
        return nanos;
    }

    /** Side b: reads a whole message and writes it back. */
    private void echo(int size) throws IOException {
        readFully(size);
        writeFully(size);
    }

    private void writeFully(int size) throws IOException {
        buffer.clear().limit(size);
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private void readFully(int size) throws IOException {
        buffer.clear().limit(size);
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw new EOFException("end of stream after " + buffer.position() + " of " + size + " bytes");
            }
        }
    }

    // ---- throughput ----------------------------------------------------------------------------------------

    private void throughput(Item item) throws IOException {
        int size = item.size();
        long total = item.warmup() + item.count();
        String name = "tp-" + size + (sideA ? ".a" : ".b");
        if (sideA) {
            long cpu0 = 0;
            for (long i = 0; i < total; i++) {
                if (i == item.warmup()) {
                    cpu0 = cpuNanos();
                }
                send(size, i);
            }
            long cpu = cpuNanos() - cpu0;
            writeResult(name, item.count() + " " + cpu);
            return;
        }
        long start = 0;
        long cpu0 = 0;
        long bytes = 0;
        for (long i = 0; i < total; i++) {
            if (i == item.warmup()) {
                start = System.nanoTime();
                cpu0 = cpuNanos();
                bytes = 0;
            }
            bytes += receive(size, i);
        }
        long elapsed = System.nanoTime() - start;
        long cpu = cpuNanos() - cpu0;
        if (bytes != item.count() * size) {
            throw new IOException("throughput: " + bytes + " bytes measured, expected " + item.count() * size);
        }
        writeResult(name, item.count() + " " + bytes + " " + elapsed + " " + cpu);
    }

    /**
     * The {@code crew:SIZE} item: a {@link jipc.bench.Crew} member from here on (its last item): per {@code run COUNT}
     * side a writes COUNT messages of SIZE bytes and side b reads and checks them; sequence numbers go on across
     * blocks. Between blocks both are blocked reading stdin.
     */
    private void crew(int size) {
        long[] next = {0};
        jipc.bench.CrewMember.serve(count -> {
            long t0 = System.nanoTime();
            long cpu0 = cpuNanos();
            long allocated = jipc.bench.CrewMember.allocatedBytes();
            long seq = next[0];
            for (long i = 0; i < count; i++) {
                if (sideA) {
                    send(size, seq++);
                } else {
                    receive(size, seq++);
                }
            }
            long allocatedAfter = jipc.bench.CrewMember.allocatedBytes();
            long t1 = System.nanoTime();
            next[0] = seq;
            return new jipc.bench.Crew.Report(t0, t1, cpuNanos() - cpu0, count, 0, 0,
                    allocated < 0 ? -1 : allocatedAfter - allocated);
        });
    }

    private void send(int size, long sequence) throws IOException {
        if (size >= 8) {
            buffer.putLong(0, sequence);
        }
        writeFully(size);
    }

    /** Reads message {@code sequence} (at most its rest per read, as the C side) and checks its number. */
    private int receive(int size, long sequence) throws IOException {
        readFully(size);
        if (size >= 8 && buffer.getLong(0) != sequence) {
            throw new IOException("throughput: message " + sequence + " carries sequence number "
                    + buffer.getLong(0));
        }
        return size;
    }

    private void writeResult(String name, String line) throws IOException {
        Files.writeString(outdir.resolve(name), line + "\n", StandardCharsets.US_ASCII);
    }

    /**
     * CPU time of this process (user + system, every thread) in nanoseconds, from
     * {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)} like the C side: the JDK's {@code getProcessCpuTime} counts in
     * 10 ms clock ticks, too coarse for a short measurement.
     */
    private long cpuNanos() throws IOException {
        if (LibSem.clockGettime(CLOCK_PROCESS_CPUTIME_ID, timespec) != 0) {
            throw new IOException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        }
        return timespec.get(JAVA_LONG, 0) * 1_000_000_000L + timespec.get(JAVA_LONG, 8);
    }
}
