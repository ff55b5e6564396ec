package jipc.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import jipc.channel.ChannelDescriptor;
import jipc.channel.MessageHandler;
import jipc.channel.OneToOneChannel;
import jipc.channel.RingHandler;
import jipc.channel.WaitStrategy;
import jipc.shm.Mapping;
import jipc.shm.Memfd;

/**
 * One side of the Java channel benchmarks, run as its own JVM by {@link ChannelBench}: the twin of
 * {@code channel_bench.c}, with the same arguments, messages and output files. It finds the shared memfd at fd 3 with
 * channel 0 (a to b) at offset 0 and channel 1 (b to a) right after it, both created by the harness, and attaches.
 *
 * <pre>
 *   ping a|b STRATEGY SIZE WARMUP ROUNDS CAPACITY [OUT]   a: t0; offer on 0; poll 1 (waiting); t1 -- b: the mirror
 *   send|recv STRATEGY SIZE WARMUP COUNT CAPACITY OUT     throughput over channel 0; OUT: "MESSAGES ELAPSED_NS CPU_NS"
 *   crew ping a|b STRATEGY SIZE CAPACITY [SAMPLES]        the ping-pong as a {@link Crew} member, block by block
 *                                                         ({@link CrewMember#timedRoundTrips}); a appends its times
 *                                                         to SAMPLES
 *   crew send|recv STRATEGY SIZE CAPACITY                 throughput over channel 0, COUNT messages per block
 *   crew send STRATEGY SIZE CAPACITY BATCH                the sender in batches of BATCH messages
 *                                                         ({@link OneToOneChannel#beginBatch()})
 * </pre>
 * A crew member reports the bytes its one hot thread allocated in each block ({@link CrewMember#allocatedBytes}).
 *
 * <p>STRATEGY is {@code spin} ({@link WaitStrategy#busySpin()}), {@code hybrid} ({@link WaitStrategy#hybrid()}) or
 * {@code futex} ({@link WaitStrategy#futex()}). Every message carries its sequence number in its first 8 bytes; the
 * receiver checks it and exits with status 1 on a message out of sequence. Like the C side, each step first tries
 * the non-blocking call and waits only when it found nothing: a message is sent with the copying
 * {@link OneToOneChannel#offer offer}, and only if the ring is full with the blocking
 * {@link OneToOneChannel#put put}; messages are received with the zero-copy
 * {@link OneToOneChannel#pollRing(RingHandler, int) pollRing}, and only if there is none with the blocking
 * {@link OneToOneChannel#pollRing(RingHandler, int, java.time.Duration) pollRing}, as the C twin's peer does.
 *
 * <p>The receivers use {@code pollRing} rather than {@link OneToOneChannel#poll(MessageHandler) poll}: a
 * {@link MessageHandler} gets a slice of the ring per message, which its contract allows to escape, so C2 removes it
 * only where it inlines the handler into the poll (about one JVM in three kept it: 40 B per message in a spin or
 * hybrid row's allocation column). A {@link RingHandler} gets the ring itself with the payload's offset and length:
 * the zero-allocation receive, with the same work per message (the header, then the payload's first 8 bytes, as the C
 * peer's handler reads them).
 */
public final class ChannelPeer {
    /** Round trips per call of the ping-pong loop during warm-up: many calls, so the JIT compiles it as a method. */
    private static final int WARMUP_CHUNK = 1000;

    /**
     * Where in its page the payload buffer starts, as in {@code channel_bench.c} ({@code PAYLOAD_PAGE_OFFSET}): the
     * copy into the ring is up to a quarter slower when the source's page offset lies just below the destination's
     * (4K aliasing; 64 KiB records sit at page offsets 8 to 120), so the Java and the C peer copy from the same place
     * in a page instead of wherever malloc put their buffers (the JVM's malloc: a different offset from run to run).
     */
    static final long PAYLOAD_PAGE_OFFSET = 2048;

    private ChannelPeer() {
    }

    /** A zeroed payload buffer of {@code size} bytes at {@link #PAYLOAD_PAGE_OFFSET} in its page. */
    static MemorySegment payloadBuffer(Arena arena, int size) {
        return arena.allocate(size + PAYLOAD_PAGE_OFFSET, 4096).asSlice(PAYLOAD_PAGE_OFFSET, size);
    }

    /**
     * Checks sequence numbers; {@code expected} is the next one. A {@link RingHandler}: the payload's first 8 bytes
     * are read in place in the ring, nothing is made per message.
     */
    private static final class Receiver implements RingHandler {
        long expected;

        @Override
        public void onMessage(int type, MemorySegment ring, long offset, int length) {
            long seq = length < Long.BYTES ? -1 : ring.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (type != 1 || length < Long.BYTES || seq != expected) {
                System.err.println("ChannelPeer: message out of sequence: type " + type + ", length " + length
                        + ", seq " + seq + ", expected " + expected);
                System.exit(1);
            }
            expected++;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("crew")) {
            crew(args);
            return;
        }
        PeerArgs a = PeerArgs.parse(args, USAGE);
        boolean ping = a.ping();
        boolean sideA = a.sideA();
        String mode = a.mode();
        WaitStrategy strategy = strategy(a.strategy());
        int size = a.size();
        long warmup = a.warmup();
        long count = a.count();
        long capacity = a.capacity();
        Path out = a.out();
        long channelSize = ChannelDescriptor.segmentSize(capacity);
        ProcessCpu.nanos(); // links the downcall now: its first call costs milliseconds, which an idle run would see
        try (Memfd memfd = Memfd.inherit(Peers.SHM_FD); Mapping mapping = memfd.map();
             Arena arena = Arena.ofConfined()) {
            mapping.populate(); // no first-touch stalls in a measured block (docs/benchmarks.md)
            OneToOneChannel ab = OneToOneChannel.attach(mapping.segment().asSlice(0, channelSize))
                    .waitStrategy(strategy);
            MemorySegment payload = payloadBuffer(arena, size);
            if (ping) {
                OneToOneChannel ba = OneToOneChannel.attach(mapping.segment().asSlice(channelSize, channelSize))
                        .waitStrategy(strategy);
                if (sideA) {
                    pingA(ab, ba, payload, warmup, (int) count, out);
                } else {
                    answer(ab, ba, payload, warmup + count);
                }
            } else if (mode.equals("send")) {
                send(ab, payload, warmup, count, out);
            } else {
                receive(ab, warmup, count, out);
            }
        }
    }

    private static final String USAGE = "usage: ChannelPeer ping a|b STRATEGY SIZE WARMUP ROUNDS CAPACITY [OUT]\n"
            + "       ChannelPeer send|recv STRATEGY SIZE WARMUP COUNT CAPACITY OUT";

    private static final String CREW_USAGE = "usage: ChannelPeer crew ping a|b STRATEGY SIZE CAPACITY [SAMPLES]\n"
            + "       ChannelPeer crew send STRATEGY SIZE CAPACITY [BATCH]\n"
            + "       ChannelPeer crew recv STRATEGY SIZE CAPACITY";

    /** The crew modes: attaches as {@link #main} does, then serves blocks until told to quit. */
    private static void crew(String[] args) throws Exception {
        boolean ping = args.length >= 6 && args[1].equals("ping");
        boolean stream = args.length == 5 && (args[1].equals("send") || args[1].equals("recv"))
                || args.length == 6 && args[1].equals("send");
        if (!ping && !stream || ping && args.length > 7) {
            System.err.println(CREW_USAGE);
            System.exit(64);
        }
        int shift = ping ? 1 : 0;
        WaitStrategy strategy = strategy(args[2 + shift]);
        int size = Integer.parseInt(args[3 + shift]);
        long capacity = Long.parseLong(args[4 + shift]);
        long channelSize = ChannelDescriptor.segmentSize(capacity);
        ProcessCpu.nanos();
        try (Memfd memfd = Memfd.inherit(Peers.SHM_FD); Mapping mapping = memfd.map();
             Arena arena = Arena.ofConfined()) {
            mapping.populate(); // no first-touch stalls in a measured block (docs/benchmarks.md)
            OneToOneChannel ab = OneToOneChannel.attach(mapping.segment().asSlice(0, channelSize))
                    .waitStrategy(strategy);
            MemorySegment payload = payloadBuffer(arena, size);
            Receiver receiver = new Receiver();
            if (ping) {
                OneToOneChannel ba = OneToOneChannel.attach(mapping.segment().asSlice(channelSize, channelSize))
                        .waitStrategy(strategy);
                if (args[2].equals("a")) {
                    Path samples = args.length == 7 ? Path.of(args[6]) : null;
                    CrewMember.serve(CrewMember.timedRoundTrips(seq -> {
                        payload.set(ValueLayout.JAVA_LONG, 0, seq);
                        send(ab, payload);
                        receive(ba, receiver);
                    }, samples));
                } else {
                    CrewMember.serve(CrewMember.echoes(seq -> {
                        receive(ab, receiver);
                        payload.set(ValueLayout.JAVA_LONG, 0, seq);
                        send(ba, payload);
                    }));
                }
            } else if (args[1].equals("send")) {
                long[] next = {0};
                int batch = args.length == 6 ? Integer.parseInt(args[5]) : 0;
                CrewMember.serve(CrewMember.measured(count -> {
                    if (batch > 0) {
                        sendBatches(ab, payload, next[0], next[0] + count, batch);
                    } else {
                        sendRange(ab, payload, next[0], next[0] + count);
                    }
                    next[0] += count;
                }, 0));
            } else {
                CrewMember.serve(CrewMember.measured(count -> {
                    long target = receiver.expected + count;
                    while (receiver.expected < target) {
                        receive(ab, receiver);
                    }
                }, 0));
            }
        }
    }

    private static WaitStrategy strategy(String name) {
        return switch (name) {
            case "spin" -> WaitStrategy.busySpin();
            case "hybrid" -> WaitStrategy.hybrid();
            case "futex" -> WaitStrategy.futex();
            default -> {
                System.err.println("ChannelPeer: unknown strategy " + name + " (spin, hybrid, futex)");
                System.exit(64);
                yield null;
            }
        };
    }

    private static void pingA(OneToOneChannel ab, OneToOneChannel ba, MemorySegment payload, long warmup,
            int rounds, Path out) throws IOException, InterruptedException {
        Receiver receiver = new Receiver();
        long[] scratch = new long[WARMUP_CHUNK];
        for (long done = 0; done < warmup; done += WARMUP_CHUNK) {
            roundTrips(ab, ba, payload, receiver, scratch, (int) Math.min(WARMUP_CHUNK, warmup - done));
        }
        long[] samples = new long[rounds];
        roundTrips(ab, ba, payload, receiver, samples, rounds);
        HandoffPeer.writeSamples(out, samples);
    }

    /** Side a: {@code count} round trips, each one's time in nanoseconds into {@code samples}. */
    private static void roundTrips(OneToOneChannel ab, OneToOneChannel ba, MemorySegment payload,
            Receiver receiver, long[] samples, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            payload.set(ValueLayout.JAVA_LONG, 0, receiver.expected);
            send(ab, payload);
            receive(ba, receiver);
            samples[i] = System.nanoTime() - start;
        }
    }

    /** Side b: echoes every message with its sequence number. */
    private static void answer(OneToOneChannel ab, OneToOneChannel ba, MemorySegment payload, long count)
            throws InterruptedException {
        Receiver receiver = new Receiver();
        while (receiver.expected < count) {
            long before = receiver.expected;
            receive(ab, receiver);
            for (long seq = before; seq < receiver.expected; seq++) {
                payload.set(ValueLayout.JAVA_LONG, 0, seq);
                send(ba, payload);
            }
        }
    }

    private static void send(OneToOneChannel channel, MemorySegment payload, long warmup, long count, Path out)
            throws IOException, InterruptedException {
        sendRange(channel, payload, 0, warmup);
        long cpu = ProcessCpu.nanos();
        long start = System.nanoTime();
        sendRange(channel, payload, warmup, warmup + count);
        writeResult(out, count, System.nanoTime() - start, ProcessCpu.nanos() - cpu);
    }

    private static void sendRange(OneToOneChannel channel, MemorySegment payload, long from, long to)
            throws InterruptedException {
        for (long seq = from; seq < to; seq++) {
            payload.set(ValueLayout.JAVA_LONG, 0, seq);
            send(channel, payload);
        }
    }

    /** {@link #sendRange} in batches of {@code batch} messages ({@code beginBatch}/{@code endBatch}). */
    private static void sendBatches(OneToOneChannel channel, MemorySegment payload, long from, long to, int batch)
            throws InterruptedException {
        for (long start = from; start < to; start += batch) {
            channel.beginBatch();
            try {
                sendRange(channel, payload, start, Math.min(to, start + batch));
            } finally {
                channel.endBatch();
            }
        }
    }

    /** Sends one message: {@code offer}, and {@code put} (waiting with the strategy) only when the ring is full. */
    private static void send(OneToOneChannel channel, MemorySegment payload) throws InterruptedException {
        if (!channel.offer(1, payload)) {
            channel.put(1, payload, null);
        }
    }

    /**
     * Receives at least one message (all there are): {@code pollRing}, and the blocking {@code pollRing} only when
     * none is there.
     */
    private static void receive(OneToOneChannel channel, Receiver receiver) throws InterruptedException {
        if (channel.pollRing(receiver, Integer.MAX_VALUE) == 0) {
            while (channel.pollRing(receiver, Integer.MAX_VALUE, null) == 0) {
                // only padding at the wrap was consumed: wait again
            }
        }
    }

    private static void receive(OneToOneChannel channel, long warmup, long count, Path out)
            throws IOException, InterruptedException {
        Receiver receiver = new Receiver();
        while (receiver.expected < warmup) {
            receive(channel, receiver);
        }
        long cpu = ProcessCpu.nanos();
        long start = System.nanoTime();
        while (receiver.expected < warmup + count) {
            receive(channel, receiver);
        }
        writeResult(out, count, System.nanoTime() - start, ProcessCpu.nanos() - cpu);
    }

    /** The result line of a throughput side: {@code MESSAGES ELAPSED_NS CPU_NS} ({@link ProcessCpu}). */
    public static void writeResult(Path out, long messages, long elapsedNanos, long cpuNanos) throws IOException {
        Files.writeString(out, messages + " " + elapsedNanos + " " + cpuNanos + "\n");
    }
}
