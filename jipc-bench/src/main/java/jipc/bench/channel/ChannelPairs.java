package jipc.bench.channel;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import jipc.bench.CProgram;
import jipc.bench.ChannelPeer;
import jipc.bench.OnVirtualThread;
import jipc.bench.Peers;
import jipc.bench.Pin;
import jipc.channel.ChannelDescriptor;
import jipc.channel.OneToOneChannel;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.Memfd;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The two-process runs behind every channel figure, shared by the suite's {@link ChannelBenchmark} and
 * {@link AgronaBenchmark} and the older {@code channel-pingpong}/{@code channel-throughput} harness
 * ({@link jipc.bench.ChannelBench}): the C side ({@code channel_bench.c} with the C twin {@code jipc_channel.c})
 * compiled once, the Java peer command lines, the pinning, and one method per kind of run.
 *
 * <p>Every run gets a fresh memfd at fd {@value Peers#SHM_FD} in both peers. For the jipc and C-twin pairs this JVM
 * writes the channel headers ({@link OneToOneChannel#create}); the Agrona peers find a zeroed memfd, which is an
 * empty Agrona ring buffer. Side a of a ping-pong hands its round-trip times back in a file; throughput sides write
 * {@code MESSAGES ELAPSED_NS CPU_NS} (CPU: {@code CLOCK_PROCESS_CPUTIME_ID} of the whole process over the measured
 * messages). Every receiver checks the sequence number in each message's first 8 bytes and fails the run on a gap.
 */
public final class ChannelPairs {
    /** The smallest ring of a run: 1 MiB (a message may be an eighth of the ring minus a record header). */
    public static final long MIN_CAPACITY = 1L << 20;
    /** The options the Agrona peers need on JDK 25 (Agrona 2.x reads {@code jdk.internal.misc.Unsafe}). */
    public static final List<String> AGRONA_JVM_OPTIONS = List.of("--add-exports",
            "java.base/jdk.internal.misc=ALL-UNNAMED");
    /**
     * How long this JVM lets an idle receiver settle after it took its first message, before measuring: a JVM's
     * compiler threads still work off their start-up queue for a while (hundreds of ms on a busy machine).
     */
    static final Duration IDLE_SETTLE = Duration.ofSeconds(1);
    /**
     * The messages an idle receiver takes one at a time before it is watched, each waking it from its sleep: more
     * than the JIT's invocation threshold for a C1 compile (200), so its sleep and wake path is compiled.
     */
    static final int IDLE_WARMUP_MESSAGES = 400;
    /** How long this JVM waits after an idle receiver took a warm-up message before it sends the next one. */
    static final Duration IDLE_WARMUP_GAP = Duration.ofMillis(1);

    private static final String C_PROGRAM = "channel_bench";
    private static final String[] C_TWIN = {"jipc_channel.c", "jipc_channel.h", "jipc_live.c", "jipc_live.h"};
    private static final AtomicLong FILES = new AtomicLong();

    /** Who wrote both sides of a pair. */
    public enum Peer {
        /** {@link ChannelPeer}: {@link OneToOneChannel} in two JVMs. */
        JIPC,
        /**
         * {@link ChannelPeer} as {@link #JIPC}, with the echoing side b's loop on a virtual thread
         * ({@link OnVirtualThread}; side a, which measures, stays on a platform thread): b's futex waits park it, and
         * a futex-waiter thread unparks it. The idle step runs its receiver on a virtual thread.
         */
        JIPC_VIRTUAL,
        /** {@code channel_bench.c} with the C twin {@code jipc_channel.c}. */
        C,
        /** {@link AgronaPeer}: Agrona's {@code OneToOneRingBuffer} in two JVMs. */
        AGRONA
    }

    /**
     * One throughput measurement, as the consumer timed it.
     *
     * @param producerCpuNanos CPU time of the producer process over the measured messages ({@code -1}: none, for
     *        the single-process memcpy)
     */
    public record Throughput(int size, long messages, long elapsedNanos, long producerCpuNanos,
            long consumerCpuNanos) {
        public double messagesPerSecond() {
            return messages * 1e9 / elapsedNanos;
        }

        public double bytesPerSecond() {
            return messagesPerSecond() * size;
        }

        /** CPU nanoseconds per message of the producer (NaN for none). */
        public double producerCpuPerMessage() {
            return producerCpuNanos < 0 ? Double.NaN : (double) producerCpuNanos / messages;
        }

        public double consumerCpuPerMessage() {
            return (double) consumerCpuNanos / messages;
        }
    }

    private static final Object LOCK = new Object();
    private static ChannelPairs shared;
    private static Pin sharedPin;

    private final Path work;
    private final CProgram c;
    private final Pin pin;
    private final List<String> jvmOptions;
    private final List<String> jipc;
    private final List<String> jipcVirtual;
    private final List<String> agrona;

    private ChannelPairs(Path work, CProgram c, Pin pin, List<String> jvmOptions) {
        this.work = work;
        this.c = c;
        this.pin = pin;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.jipc = Peers.javaCommand(ChannelPeer.class, jvmOptions);
        this.jipcVirtual = Peers.virtualThreadCommand(ChannelPeer.class, jvmOptions);
        List<String> agronaOptions = new ArrayList<>(AGRONA_JVM_OPTIONS);
        agronaOptions.addAll(jvmOptions);
        this.agrona = Peers.javaCommand(AgronaPeer.class, agronaOptions);
    }

    /**
     * Compiles the C side into a fresh directory and describes the setup on {@code log}; the directory goes away
     * with {@link #deleteFiles()}.
     */
    public static ChannelPairs open(Pin pin, List<String> jvmOptions, PrintStream log)
            throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("jipc-bench-channel-");
        CProgram c = CProgram.compile(C_PROGRAM, work, C_TWIN);
        ChannelPairs pairs = new ChannelPairs(work, c, pin, jvmOptions);
        log.println("  C peers: " + c.compiler() + ": " + String.join(" ", c.compileCommand()));
        log.println("  jipc peers: " + String.join(" ", pairs.jipc) + " ...");
        log.println("  jipc peers on a virtual thread: " + String.join(" ", pairs.jipcVirtual) + " ...");
        log.println("  Agrona peers: " + String.join(" ", pairs.agrona) + " ...");
        return pairs;
    }

    /**
     * The pairs of this JVM's suite runs for {@code pin} (as asked: {@link Peers#pinning} decides once whether
     * taskset can apply it) and {@code jvmOptions}: compiled once and reused by every step (gcc takes a second
     * here); the files go when the JVM exits.
     */
    static ChannelPairs shared(Pin pin, List<String> jvmOptions, PrintStream log)
            throws IOException, InterruptedException {
        synchronized (LOCK) {
            if (shared == null || !java.util.Objects.equals(sharedPin, pin)
                    || !shared.jvmOptions.equals(jvmOptions)) {
                ChannelPairs created = open(Peers.pinning(pin, log), jvmOptions, log);
                Runtime.getRuntime().addShutdownHook(new Thread(created::deleteFilesQuietly));
                shared = created;
                sharedPin = pin;
            }
            return shared;
        }
    }

    /** Deletes the compiled program and the run files. */
    public void deleteFiles() throws IOException {
        Peers.deleteTree(work);
    }

    private void deleteFilesQuietly() {
        try {
            deleteFiles();
        } catch (IOException | UncheckedIOException e) {
            // the temporary directory stays behind; nothing else depends on it
        }
    }

    public Pin pin() {
        return pin;
    }

    /** The ring capacity for messages of {@code size}: at least 1 MiB, and 8 records of {@code size} fit. */
    public static long capacity(int size) {
        long needed = 8L * (size + 8);
        return Math.max(MIN_CAPACITY, Long.highestOneBit(needed - 1) << 1);
    }

    /** The largest message of a channel of {@code capacity} bytes. */
    public static int maxMessageLength(long capacity) {
        return (int) (capacity / 8 - 8);
    }

    /** The command line of one side of {@code peer} (before its mode arguments), unpinned. */
    List<String> command(Peer peer) {
        return switch (peer) {
            case JIPC -> jipc;
            case JIPC_VIRTUAL -> jipcVirtual;
            case C -> List.of(c.executable().toString());
            case AGRONA -> agrona;
        };
    }

    /** Bytes of one ring of {@code peer} in the memfd: a jipc channel segment or an Agrona buffer, page-aligned. */
    static long ringBytes(Peer peer, long capacity) {
        long bytes = peer == Peer.AGRONA ? capacity + RingBufferDescriptor.TRAILER_LENGTH
                : ChannelDescriptor.segmentSize(capacity);
        return (bytes + 4095) & ~4095L;
    }

    private Path file(String name) {
        return work.resolve(name + "-" + FILES.incrementAndGet());
    }

    // ---- latency ------------------------------------------------------------------------------------------------

    /**
     * A ping-pong over two rings (a to b, b to a) of {@code peer}: {@code warmup} round trips, then {@code rounds}
     * measured ones, each timed by side a.
     *
     * @param strategy {@code spin}, {@code hybrid} or {@code futex} (Agrona: {@code spin} only)
     */
    public Histogram pingPong(Peer peer, String strategy, int size, long warmup, int rounds)
            throws IOException, InterruptedException {
        long capacity = capacity(size);
        long ring = ringBytes(peer, capacity);
        List<String> arguments = List.of(strategy, String.valueOf(size), String.valueOf(warmup),
                String.valueOf(rounds), String.valueOf(capacity));
        try (Memfd memfd = Memfd.create("jipc-bench-channel", 2 * ring); Mapping mapping = memfd.map()) {
            if (peer != Peer.AGRONA) {
                OneToOneChannel.create(mapping.segment().asSlice(0, ring), capacity, maxMessageLength(capacity));
                OneToOneChannel.create(mapping.segment().asSlice(ring, ring), capacity, maxMessageLength(capacity));
            }
            // The virtual-thread row: the echoing side b waits on a virtual thread, the measuring side a on a platform
            // thread, so each round trip has one parked wake-up (the goal's "one hop more per wake" of one receiver).
            List<String> sideA = command(peer == Peer.JIPC_VIRTUAL ? Peer.JIPC : peer);
            return latencyPair(peer + " " + strategy, sideA, command(peer), "ping", arguments, memfd, warmup, rounds);
        }
    }

    /**
     * A C floor ping-pong: the payload copied into a shared buffer, a sequence word published (release) and waited
     * on (acquire) by spinning ({@code wait = "spin"}) or in {@code FUTEX_WAIT} ({@code "futex"}).
     */
    public Histogram floor(String wait, int size, long warmup, int rounds) throws IOException, InterruptedException {
        long buffer = (size + 4095) & ~4095L;
        List<String> arguments = List.of(wait, String.valueOf(size), String.valueOf(warmup), String.valueOf(rounds));
        try (Memfd memfd = Memfd.create("jipc-bench-floor", 4096 + 2 * buffer)) {
            return latencyPair("C flag " + wait, command(Peer.C), command(Peer.C), "flag", arguments, memfd, warmup,
                    rounds);
        }
    }

    private Histogram latencyPair(String name, List<String> peerA, List<String> peerB, String mode,
            List<String> arguments, Memfd memfd, long warmup, int rounds) throws IOException, InterruptedException {
        Path samples = file("samples");
        List<String> a = Peers.concat(peerA, mode, "a");
        a.addAll(arguments);
        a.add(samples.toString());
        List<String> b = Peers.concat(peerB, mode, "b");
        b.addAll(arguments);
        try {
            Peers.runPair(name, Peers.pinned(pin, true, a), Peers.pinned(pin, false, b), memfd,
                    Duration.ofSeconds(120).plusNanos((warmup + rounds) * 2_000_000L));
            return Peers.readSamples(samples, rounds);
        } finally {
            Files.deleteIfExists(samples);
        }
    }

    // ---- throughput ---------------------------------------------------------------------------------------------

    /**
     * One producer process and one consumer process of {@code peer} over one ring: {@code warmup} messages, then
     * {@code count} measured ones.
     *
     * @param strategy how both sides wait when there is nothing to do ({@code hybrid} for jipc and C; Agrona spins)
     */
    public Throughput throughput(Peer peer, String strategy, int size, long warmup, long count)
            throws IOException, InterruptedException {
        long capacity = capacity(size);
        long ring = ringBytes(peer, capacity);
        Path sent = file("sent");
        Path received = file("received");
        List<String> arguments = List.of(strategy, String.valueOf(size), String.valueOf(warmup),
                String.valueOf(count), String.valueOf(capacity));
        List<String> a = Peers.concat(command(peer), "send");
        a.addAll(arguments);
        a.add(sent.toString());
        List<String> b = Peers.concat(command(peer), "recv");
        b.addAll(arguments);
        b.add(received.toString());
        try (Memfd memfd = Memfd.create("jipc-bench-channel", ring); Mapping mapping = memfd.map()) {
            if (peer != Peer.AGRONA) {
                OneToOneChannel.create(mapping.segment(), capacity, maxMessageLength(capacity));
            }
            Peers.runPair(peer + " throughput", Peers.pinned(pin, true, a), Peers.pinned(pin, false, b), memfd,
                    Duration.ofSeconds(120).plusNanos((warmup + count) * 20_000L));
            long[] producer = readResult(sent);
            long[] consumer = readResult(received);
            return new Throughput(size, consumer[0], consumer[1], producer[2], consumer[2]);
        } finally {
            Files.deleteIfExists(sent);
            Files.deleteIfExists(received);
        }
    }

    /** The single-process C memcpy limit: each message copied once into the ring area of a shared memfd. */
    public Throughput memcpy(int size, long warmup, long count) throws IOException, InterruptedException {
        long capacity = capacity(size);
        Path result = file("memcpy");
        List<String> command = Peers.pinned(pin, true, Peers.concat(command(Peer.C), "memcpy", String.valueOf(size),
                String.valueOf(warmup), String.valueOf(count), String.valueOf(capacity), result.toString()));
        try (Memfd memfd = Memfd.create("jipc-bench-memcpy", ChannelDescriptor.segmentSize(capacity));
             ChildProcess child = Spawn.command(command).nullFd(0).shareFd(Peers.SHM_FD, memfd).start()) {
            Optional<ExitStatus> status = child.waitFor(Duration.ofSeconds(120).plusNanos((warmup + count) * 20_000L));
            if (status.isEmpty() || !status.get().success()) {
                throw new IOException("C memcpy failed: " + status.map(String::valueOf).orElse("did not finish"));
            }
            long[] values = readResult(result);
            return new Throughput(size, values[0], values[1], -1, values[2]);
        } finally {
            Files.deleteIfExists(result);
        }
    }

    /** A result file: "MESSAGES ELAPSED_NS CPU_NS". */
    private static long[] readResult(Path file) throws IOException {
        String[] fields = Files.readString(file).strip().split(" ");
        if (fields.length != 3) {
            throw new IOException(file + ": expected MESSAGES ELAPSED_NS CPU_NS, got " + String.join(" ", fields));
        }
        long[] values = new long[3];
        for (int i = 0; i < 3; i++) {
            values[i] = Long.parseLong(fields[i]);
        }
        return values;
    }

    // ---- idle ---------------------------------------------------------------------------------------------------

    /**
     * The CPU an idle blocked receiver of {@code peer} burns, in percent of one core: {@link #idleCpu(List, double)}
     * with one receiver.
     */
    public Idle idleCpu(Peer peer, String strategy, double seconds) throws IOException, InterruptedException {
        return idleCpu(List.of(new IdleReceiver(peer, strategy)), seconds).getFirst();
    }

    /**
     * The CPU idle blocked receivers burn, in percent of one core, one figure per receiver in the order given. Each
     * receiver is a process of its own on side b's CPU with a channel of its own, and this JVM is every channel's
     * producer. All receivers start at once; each takes one message (so it has started and attached), then
     * {@value #IDLE_WARMUP_MESSAGES} more one at a time, each sent {@link #IDLE_WARMUP_GAP} after the one before was
     * taken so that the receiver is back in its wait: every message wakes it from its sleep, and a JVM's JIT has
     * compiled its sleep and wake path before the watch (a fresh receiver ran it interpreted, and its compiler threads
     * were still busy in the watch). Then all are left {@link #IDLE_SETTLE} to settle, and watched over the same
     * {@code seconds} (so that their ratios are paired) while this JVM reads the CPU time of all the threads of each
     * ({@code /proc/PID/task/*\/schedstat}, nanoseconds). A last message ends each receiver. A
     * {@link Peer#JIPC_VIRTUAL} receiver is given up to 30 s after the settle to park, and must show a
     * {@code jipc-futex-waiter} thread at the end of the watch (else its wait pinned its carrier, and the run fails).
     */
    public List<Idle> idleCpu(List<IdleReceiver> receivers, double seconds) throws IOException, InterruptedException {
        List<IdleSide> sides = new ArrayList<>();
        Throwable primary = null;
        try {
            for (IdleReceiver receiver : receivers) {
                sides.add(new IdleSide(receiver, Peers.pinned(pin, false, Peers.concat(command(receiver.peer()),
                        "recv", receiver.strategy(), "64", String.valueOf(1 + IDLE_WARMUP_MESSAGES), "1",
                        String.valueOf(MIN_CAPACITY), file("idle").toString()))));
            }
            Duration startLimit = Duration.ofSeconds(120);
            for (IdleSide side : sides) {
                side.sendAndAwait(0, startLimit);
            }
            for (long seq = 1; seq <= IDLE_WARMUP_MESSAGES; seq++) {
                LockSupport.parkNanos(IDLE_WARMUP_GAP.toNanos());
                for (IdleSide side : sides) {
                    side.send(seq);
                }
                for (IdleSide side : sides) {
                    side.awaitTaken(seq, Duration.ofSeconds(30));
                }
            }
            Thread.sleep(IDLE_SETTLE);
            for (IdleSide side : sides) {
                side.awaitParked();
            }
            for (IdleSide side : sides) {
                side.startWatch();
            }
            Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
            List<Idle> idles = new ArrayList<>();
            for (IdleSide side : sides) {
                idles.add(side.endWatch());
            }
            for (IdleSide side : sides) {
                side.sendLast();
            }
            for (IdleSide side : sides) {
                side.awaitExit();
            }
            return idles;
        } catch (Throwable t) {
            primary = t;
            throw t;
        } finally {
            IOException failure = null;
            for (IdleSide side : sides.reversed()) {
                try {
                    side.close();
                } catch (IOException e) {
                    if (primary != null) {
                        primary.addSuppressed(e);
                    } else if (failure == null) {
                        failure = e;
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** One receiver of an idle step: whose, and how it waits ({@code futex}, {@code hybrid}). */
    public record IdleReceiver(Peer peer, String strategy) {
    }

    /** A receiver process of an idle step with its channel, of which this JVM is the producer. */
    private static final class IdleSide implements AutoCloseable {
        private final IdleReceiver receiver;
        private final Path received;
        private final Memfd memfd;
        private final Mapping mapping;
        private final Arena arena;
        private final OneToOneChannel channel;
        private final MemorySegment payload;
        private final ChildProcess child;
        private Map<String, Long> watchStartCpu;
        private long watchStart;

        IdleSide(IdleReceiver receiver, List<String> command) throws IOException {
            this.receiver = receiver;
            this.received = Path.of(command.getLast());
            this.memfd = Memfd.create("jipc-bench-idle", ChannelDescriptor.segmentSize(MIN_CAPACITY));
            Mapping mapped = null;
            Arena confined = null;
            try {
                mapped = memfd.map();
                confined = Arena.ofConfined();
                this.channel = OneToOneChannel.create(mapped.segment(), MIN_CAPACITY, maxMessageLength(MIN_CAPACITY));
                this.payload = confined.allocate(64, 8);
                this.child = Spawn.command(command).nullFd(0).shareFd(Peers.SHM_FD, memfd).start();
            } catch (IOException | RuntimeException e) {
                if (confined != null) {
                    confined.close();
                }
                if (mapped != null) {
                    mapped.close();
                }
                memfd.close();
                throw e;
            }
            this.mapping = mapped;
            this.arena = confined;
        }

        /** Sends message {@code seq} and waits until the receiver has taken it (the channel is empty again). */
        void sendAndAwait(long seq, Duration limit) throws IOException {
            send(seq);
            awaitTaken(seq, limit);
        }

        /** Waits until the receiver has taken message {@code seq}, the last one sent (the channel is empty again). */
        void awaitTaken(long seq, Duration limit) throws IOException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (channel.headPosition() != channel.tailPosition()) {
                if (child.exitStatus().isPresent() || System.nanoTime() - deadline > 0) {
                    throw new IOException("idle " + name() + ": the receiver did not take message " + seq + ": "
                            + child.exitStatus().map(String::valueOf).orElse("still running after " + limit));
                }
                LockSupport.parkNanos(20_000);
            }
        }

        /** Offers message {@code seq} to an empty channel. */
        void send(long seq) throws IOException {
            payload.set(ValueLayout.JAVA_LONG, 0, seq);
            if (!channel.offer(1, payload)) {
                throw new IOException("idle " + name() + ": message " + seq + " did not fit an empty channel");
            }
        }

        /** For a receiver on a virtual thread: waits (up to 30 s) until its wait has parked. */
        void awaitParked() throws IOException, InterruptedException {
            if (receiver.peer() == Peer.JIPC_VIRTUAL) {
                // on a loaded machine the receiver may not have reached its wait yet: give it time to park
                long parkDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!parked(threadsCpuNanos(child.pid())) && System.nanoTime() - parkDeadline < 0) {
                    Thread.sleep(20);
                }
            }
        }

        /** Reads the CPU time of the receiver's threads at the start of the watch. */
        void startWatch() throws IOException {
            watchStartCpu = threadsCpuNanos(child.pid());
            watchStart = System.nanoTime();
        }

        /** The CPU the receiver's threads burnt since {@link #startWatch()}. */
        Idle endWatch() throws IOException {
            Map<String, Long> cpu1 = threadsCpuNanos(child.pid());
            long end = System.nanoTime();
            if (receiver.peer() == Peer.JIPC_VIRTUAL && !parked(cpu1)) {
                throw new IOException("idle: the receiver on a virtual thread has no jipc-futex-waiter thread, so"
                        + " its wait did not park (threads: " + cpu1.keySet() + ")");
            }
            return Idle.of(watchStartCpu, cpu1, end - watchStart);
        }

        /** The message that ends the receiver: the one it counts after its warm-up. */
        void sendLast() throws IOException {
            send(1 + IDLE_WARMUP_MESSAGES);
        }

        void awaitExit() throws IOException {
            Optional<ExitStatus> status = child.waitFor(Duration.ofSeconds(30));
            if (status.isEmpty() || !status.get().success()) {
                throw new IOException("idle " + name() + ": the receiver failed: " + status.map(String::valueOf)
                        .orElse("did not take its last message"));
            }
        }

        private String name() {
            return receiver.peer() + " " + receiver.strategy();
        }

        @Override
        public void close() throws IOException {
            try (memfd; mapping; arena; child) {
                Files.deleteIfExists(received);
            }
        }
    }

    /** Whether a receiver's threads include jipc's futex waiter: its virtual thread's wait parked. */
    private static boolean parked(Map<String, Long> threads) {
        return threads.keySet().stream().anyMatch(t -> t.contains(" jipc-futex-wa"));
    }

    /**
     * The CPU an idle receiver burnt.
     *
     * @param percent all its threads together, in percent of one core
     * @param busiest its threads that burnt anything, busiest first, e.g. {@code "C2 CompilerThre 0.41%, java 0.05%"}
     */
    public record Idle(double percent, String busiest) {
        public static Idle of(Map<String, Long> before, Map<String, Long> after, long wallNanos) {
            long total = 0;
            List<Map.Entry<String, Long>> deltas = new ArrayList<>();
            for (Map.Entry<String, Long> thread : after.entrySet()) {
                long delta = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
                total += delta;
                if (delta > 0) {
                    deltas.add(Map.entry(thread.getKey(), delta));
                }
            }
            deltas.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            StringBuilder busiest = new StringBuilder();
            for (Map.Entry<String, Long> thread : deltas.subList(0, Math.min(4, deltas.size()))) {
                String name = thread.getKey().substring(thread.getKey().indexOf(' ') + 1);
                busiest.append(busiest.isEmpty() ? "" : ", ").append(name).append(' ')
                        .append(String.format("%.2f%%", 100.0 * thread.getValue() / wallNanos));
            }
            return new Idle(100.0 * total / wallNanos, busiest.isEmpty() ? "none" : busiest.toString());
        }
    }

    /**
     * Each thread's time on a CPU (ns, the first field of {@code /proc/PID/task/TID/schedstat}), keyed by
     * {@code "TID NAME"} ({@code comm}).
     */
    public static Map<String, Long> threadsCpuNanos(int pid) throws IOException {
        Map<String, Long> threads = new java.util.HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    long nanos = Long.parseLong(Files.readString(task.resolve("schedstat")).strip().split(" ")[0]);
                    threads.put(task.getFileName() + " " + Files.readString(task.resolve("comm")).strip(), nanos);
                } catch (NoSuchFileException e) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return threads;
    }
}
