package jipc.bench.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import jipc.bench.Crew;
import jipc.bench.CrewMember;
import jipc.bench.ProcessCpu;
import jipc.channel.OneToOneChannel;
import jipc.channel.RingHandler;
import jipc.channel.SharedChannel;
import jipc.channel.WaitStrategy;

/**
 * The Java end of a Java/Python pair of {@link PythonBenchmark}, run as its own JVM: a {@link Crew} member over jipc
 * channels in named POSIX shared memory objects the harness made (Python attaches to channels by name), with the
 * arguments and roles of {@code python_bench.py}:
 *
 * <pre>
 *   PythonPeer ping OUT IN SIZE WAIT SAMPLES   side a of a ping-pong: offer on OUT, poll the echo from IN, timed;
 *                                              appends every round trip's nanoseconds to SAMPLES
 *   PythonPeer echo IN OUT SIZE WAIT           side b: every message polled from IN offered back on OUT
 *   PythonPeer send NAME SIZE WAIT             producer: COUNT messages of SIZE bytes per block
 *   PythonPeer recv NAME SIZE WAIT             consumer: COUNT messages per block, each one's sequence number read
 * </pre>
 * WAIT is {@code hybrid} ({@link WaitStrategy#hybrid()}, the default), {@code futex} or {@code spin}. Like
 * {@code jipc.bench.ChannelPeer}, a message is sent with {@code offer} and only on a full ring with the blocking
 * {@code put}, and received with the zero-copy {@code pollRing} (a {@link RingHandler}: no object per message, where
 * a {@code MessageHandler}'s per-message view may escape), waiting only when nothing is there. Every message carries
 * its sequence number in its first 8 bytes; one out of sequence exits 1.
 */
public final class PythonPeer {
    private PythonPeer() {
    }

    /** Checks sequence numbers; {@code expected} is the next one. */
    private static final class Receiver implements RingHandler {
        long expected;

        @Override
        public void onMessage(int type, MemorySegment ring, long offset, int length) {
            long seq = length < Long.BYTES ? -1 : ring.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (type != 1 || length < Long.BYTES || seq != expected) {
                throw new IllegalStateException("message out of sequence: type " + type + ", length " + length
                        + ", seq " + seq + ", expected " + expected);
            }
            expected++;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: PythonPeer ping OUT IN SIZE WAIT SAMPLES | echo IN OUT SIZE WAIT"
                    + " | send|recv NAME SIZE WAIT");
            System.exit(64);
        }
        ProcessCpu.nanos(); // links the downcall now
        String role = args[0];
        boolean pair = role.equals("ping") || role.equals("echo");
        int size = Integer.parseInt(args[pair ? 3 : 2]);
        WaitStrategy wait = strategy(args[pair ? 4 : 3]);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment payload = arena.allocate(size, 8);
            switch (role) {
                case "ping" -> {
                    try (SharedChannel out = SharedChannel.attach(args[1]);
                         SharedChannel in = SharedChannel.attach(args[2])) {
                        ping(out.channel().waitStrategy(wait), in.channel().waitStrategy(wait), payload,
                                Path.of(args[5]));
                    }
                }
                case "echo" -> {
                    try (SharedChannel in = SharedChannel.attach(args[1]);
                         SharedChannel out = SharedChannel.attach(args[2])) {
                        echo(in.channel().waitStrategy(wait), out.channel().waitStrategy(wait), payload);
                    }
                }
                case "send" -> {
                    try (SharedChannel channel = SharedChannel.attach(args[1])) {
                        produce(channel.channel().waitStrategy(wait), payload);
                    }
                }
                case "recv" -> {
                    try (SharedChannel channel = SharedChannel.attach(args[1])) {
                        consume(channel.channel().waitStrategy(wait));
                    }
                }
                default -> {
                    System.err.println("PythonPeer: unknown role " + role + " (ping, echo, send, recv)");
                    System.exit(64);
                }
            }
        }
    }

    private static WaitStrategy strategy(String name) {
        return switch (name) {
            case "spin" -> WaitStrategy.busySpin();
            case "hybrid" -> WaitStrategy.hybrid();
            case "futex" -> WaitStrategy.futex();
            default -> throw new IllegalArgumentException("WAIT: spin, hybrid or futex, not " + name);
        };
    }

    private static void ping(OneToOneChannel out, OneToOneChannel in, MemorySegment payload, Path samples) {
        Receiver receiver = new Receiver();
        long[][] times = {new long[0]};
        CrewMember.serve(count -> {
            if (times[0].length < count) {
                times[0] = new long[(int) count];
            }
            long[] t = times[0];
            long t0 = System.nanoTime();
            long cpu = ProcessCpu.nanos();
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                payload.set(ValueLayout.JAVA_LONG, 0, receiver.expected);
                send(out, payload);
                receive(in, receiver);
                t[i] = System.nanoTime() - start;
            }
            long t1 = System.nanoTime();
            long used = ProcessCpu.nanos() - cpu;
            CrewMember.appendSamples(samples, t, (int) count);
            return new Crew.Report(t0, t1, used, count, 0, CrewMember.median(t, (int) count));
        });
    }

    private static void echo(OneToOneChannel in, OneToOneChannel out, MemorySegment payload) {
        Receiver receiver = new Receiver();
        CrewMember.serve(count -> {
            long t0 = System.nanoTime();
            long cpu = ProcessCpu.nanos();
            long end = receiver.expected + count;
            while (receiver.expected < end) {
                long before = receiver.expected;
                receive(in, receiver);
                for (long seq = before; seq < receiver.expected; seq++) {
                    payload.set(ValueLayout.JAVA_LONG, 0, seq);
                    send(out, payload);
                }
            }
            return new Crew.Report(t0, System.nanoTime(), ProcessCpu.nanos() - cpu, count, 0, 0);
        });
    }

    private static void produce(OneToOneChannel channel, MemorySegment payload) {
        long[] next = {0};
        CrewMember.serve(count -> {
            long t0 = System.nanoTime();
            long cpu = ProcessCpu.nanos();
            for (long i = 0; i < count; i++) {
                payload.set(ValueLayout.JAVA_LONG, 0, next[0]++);
                send(channel, payload);
            }
            return new Crew.Report(t0, System.nanoTime(), ProcessCpu.nanos() - cpu, count, 0, 0);
        });
    }

    private static void consume(OneToOneChannel channel) {
        Receiver receiver = new Receiver();
        CrewMember.serve(count -> {
            long t0 = System.nanoTime();
            long cpu = ProcessCpu.nanos();
            long end = receiver.expected + count;
            while (receiver.expected < end) {
                receive(channel, receiver);
            }
            return new Crew.Report(t0, System.nanoTime(), ProcessCpu.nanos() - cpu, count, 0, 0);
        });
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
}
