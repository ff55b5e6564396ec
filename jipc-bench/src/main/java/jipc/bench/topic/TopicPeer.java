package jipc.bench.topic;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import jipc.bench.Crew;
import jipc.bench.CrewMember;
import jipc.bench.Peers;
import jipc.bench.ProcessCpu;
import jipc.channel.MessageHandler;
import jipc.channel.WaitStrategy;
import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.topic.OverflowPolicy;
import jipc.topic.Topic;
import jipc.topic.TopicDescriptor;
import jipc.topic.TopicPublisher;
import jipc.topic.TopicSubscriber;

/**
 * One member of a jipc topic crew ({@link jipc.bench.Crew}), run as its own JVM by {@link TopicBenchmark}: the Java
 * twin of {@code topic_bench.c}, with the same arguments and protocol.
 *
 * <pre>
 *   TopicPeer pub|sub|ping-a|ping-b WAIT SIZE CAPACITY IN OUT [SAMPLES]
 * </pre>
 * The shared memfd at fd 3 holds topics made by the harness ({@link Topic#create}) at byte offsets {@code IN} (the
 * topic this member subscribes to) and {@code OUT} (the one it publishes on; -1: none), each of
 * {@link TopicDescriptor#segmentSize} of {@code CAPACITY}. Per block ({@code run COUNT}):
 * <ul>
 *   <li>{@code pub}: publishes COUNT messages of SIZE bytes on OUT ({@code offer}; on a full BLOCK ring
 *       {@code put}, which waits with WAIT);</li>
 *   <li>{@code sub}: receives from IN until the block's last message, waiting with WAIT; counts what it lost (by the
 *       sequence numbers) and fails on a loss in BLOCK mode or a message out of order;</li>
 *   <li>{@code ping-a}: COUNT round trips: publish on OUT, wait for the echo on IN; appends each round trip's
 *       nanoseconds to SAMPLES; {@code ping-b}: the echo, COUNT times.</li>
 * </ul>
 * WAIT: {@code spin} ({@link WaitStrategy#busySpin()}), {@code hybrid} ({@link WaitStrategy#hybrid()}) or
 * {@code futex} ({@link WaitStrategy#futex()}), for the publisher's and the subscriber's waits alike. Every message
 * carries its sequence number (int64, native order) in its first 8 bytes; subscribers read it in place (BLOCK) or
 * from their copy (OVERWRITE).
 */
public final class TopicPeer {
    private TopicPeer() {
    }

    /** Checks the sequence numbers of what a subscriber receives. */
    static final class Receiver implements MessageHandler {
        final boolean block;
        long last = -1;
        long received;
        long lost;

        Receiver(boolean block) {
            this.block = block;
        }

        @Override
        public void onMessage(int type, MemorySegment payload) {
            long seq = payload.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            if (seq <= last || block && seq != last + 1) {
                System.err.println("TopicPeer: message " + seq + " after " + last + (block ? " (BLOCK)" : ""));
                System.exit(1);
            }
            lost += seq - last - 1;
            last = seq;
            received++;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: TopicPeer pub|sub|ping-a|ping-b spin|hybrid|futex SIZE CAPACITY IN OUT"
                    + " [SAMPLES]");
            System.exit(64);
        }
        String role = args[0];
        WaitStrategy wait = switch (args[1]) {
            case "spin" -> WaitStrategy.busySpin();
            case "hybrid" -> WaitStrategy.hybrid();
            case "futex" -> WaitStrategy.futex();
            default -> throw new IllegalArgumentException("WAIT: spin, hybrid or futex: " + args[1]);
        };
        int size = Integer.parseInt(args[2]);
        long capacity = Long.parseLong(args[3]);
        long in = Long.parseLong(args[4]);
        long out = Long.parseLong(args[5]);
        Path samples = args.length > 6 ? Path.of(args[6]) : null;
        long topicBytes = TopicDescriptor.segmentSize(capacity);
        ProcessCpu.nanos(); // links the downcall before anything is measured
        try (Memfd memfd = Memfd.inherit(Peers.SHM_FD); Mapping mapping = memfd.map();
             Arena arena = Arena.ofConfined()) {
            mapping.populate(); // no first-touch stalls in a measured block (docs/benchmarks.md)
            if (size < Long.BYTES) {
                throw new IllegalArgumentException("SIZE=" + size + " < 8: a message carries its sequence number");
            }
            MemorySegment payload = arena.allocate(size, 8);
            TopicPublisher pub = out < 0 ? null
                    : Topic.attach(mapping.segment().asSlice(out, topicBytes)).publisher().waitStrategy(wait);
            TopicSubscriber sub = in < 0 ? null
                    : Topic.attach(mapping.segment().asSlice(in, topicBytes)).subscribe().waitStrategy(wait);
            Receiver receiver = sub == null ? null : new Receiver(sub.topic().policy() == OverflowPolicy.BLOCK);
            long[] next = {0};
            CrewMember.Role member = switch (role) {
                case "pub" -> count -> {
                    long t0 = System.nanoTime();
                    long cpu = ProcessCpu.nanos();
                    long from = next[0];
                    for (long seq = from; seq < from + count; seq++) {
                        publish(pub, payload, seq);
                    }
                    next[0] = from + count;
                    return new Crew.Report(t0, System.nanoTime(), ProcessCpu.nanos() - cpu, count, 0, 0);
                };
                case "sub" -> count -> {
                    long t0 = System.nanoTime();
                    long cpu = ProcessCpu.nanos();
                    long end = next[0] + count;
                    long received = receiver.received;
                    long lost = receiver.lost;
                    while (receiver.last < end - 1) {
                        sub.poll(receiver, 256, null);
                    }
                    long t1 = System.nanoTime();
                    next[0] = end;
                    return new Crew.Report(t0, t1, ProcessCpu.nanos() - cpu, receiver.received - received,
                            receiver.lost - lost, 0);
                };
                case "ping-a" -> {
                    long[][] times = {new long[0]};
                    yield count -> {
                        if (times[0].length < count) {
                            times[0] = new long[(int) count];
                        }
                        long[] t = times[0];
                        long t0 = System.nanoTime();
                        long cpu = ProcessCpu.nanos();
                        for (int i = 0; i < count; i++) {
                            long start = System.nanoTime();
                            long seq = next[0]++;
                            publish(pub, payload, seq);
                            while (receiver.last < seq) {
                                sub.poll(receiver, 1, null);
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
                case "ping-b" -> count -> {
                    long t0 = System.nanoTime();
                    long cpu = ProcessCpu.nanos();
                    for (int i = 0; i < count; i++) {
                        long seq = next[0]++;
                        while (receiver.last < seq) {
                            sub.poll(receiver, 1, null);
                        }
                        publish(pub, payload, seq);
                    }
                    return new Crew.Report(t0, System.nanoTime(), ProcessCpu.nanos() - cpu, count, 0, 0);
                };
                default -> throw new IllegalArgumentException("role: pub, sub, ping-a or ping-b: " + role);
            };
            CrewMember.serve(member);
            if (sub != null) {
                sub.close();
            }
            if (pub != null) {
                pub.close();
            }
        }
    }

    /** Publishes one message of sequence {@code seq}: offer, and on a full BLOCK ring put (waiting). */
    private static void publish(TopicPublisher pub, MemorySegment payload, long seq)
            throws InterruptedException {
        payload.set(ValueLayout.JAVA_LONG, 0, seq);
        if (!pub.offer(1, payload)) {
            pub.put(1, payload, null);
        }
    }
}
