package jipc.bench.topic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import jipc.bench.Crew;
import jipc.bench.CrewMember;
import jipc.bench.Peers;
import jipc.bench.ProcessCpu;
import jipc.shm.Mapping;
import jipc.shm.Memfd;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;
import org.agrona.concurrent.broadcast.BroadcastReceiver;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;
import org.agrona.concurrent.broadcast.CopyBroadcastReceiver;

/**
 * One member of an Agrona broadcast crew, run as its own JVM (with {@link TopicBenchmark#AGRONA_JVM_OPTIONS}): the
 * arguments, protocol and messages of {@link TopicPeer}, over Agrona's {@link BroadcastTransmitter} and
 * {@link CopyBroadcastReceiver} (a {@link BroadcastReceiver} that copies each message out and checks it was not
 * overwritten meanwhile, as a jipc OVERWRITE subscriber does). Each buffer is {@code CAPACITY} bytes plus Agrona's
 * trailer at its offset in the zeroed memfd (an empty broadcast buffer).
 *
 * <pre>
 *   BroadcastPeer pub|sub|ping-a|ping-b spin|backoff SIZE CAPACITY IN OUT [SAMPLES]
 * </pre>
 * The transmitter never waits (Agrona has no flow control and no cross-process wake-up). Receivers wait for a
 * message with an Agrona idle strategy: {@code spin} ({@link BusySpinIdleStrategy}) or {@code backoff}
 * ({@link BackoffIdleStrategy} with its defaults: 10 spins, 5 yields, then parks of 1 µs doubling up to 1 ms). A
 * lapped receiver makes {@link CopyBroadcastReceiver#receive} throw "unable to keep up with broadcast" (and drop the
 * latest record, to which the receiver has moved); the member catches it, takes that record from the underlying
 * {@link BroadcastReceiver} if it is still whole (it may be the block's last message), and counts what it lost by the
 * sequence numbers.
 */
public final class BroadcastPeer {
    private BroadcastPeer() {
    }

    /** Checks the sequence numbers. */
    static final class Receiver implements MessageHandler {
        long last = -1;
        long received;
        long lost;

        @Override
        public void onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
            long seq = buffer.getLong(index, ByteOrder.nativeOrder());
            if (seq <= last) {
                System.err.println("BroadcastPeer: message " + seq + " after " + last);
                System.exit(1);
            }
            lost += seq - last - 1;
            last = seq;
            received++;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: BroadcastPeer pub|sub|ping-a|ping-b spin|backoff SIZE CAPACITY IN OUT [SAMPLES]");
            System.exit(64);
        }
        String role = args[0];
        IdleStrategy idle = switch (args[1]) {
            case "spin" -> new BusySpinIdleStrategy();
            case "backoff" -> new BackoffIdleStrategy();
            default -> throw new IllegalArgumentException("WAIT: spin or backoff (Agrona never sleeps on a futex): "
                    + args[1]);
        };
        int size = Integer.parseInt(args[2]);
        int capacity = Integer.parseInt(args[3]);
        long in = Long.parseLong(args[4]);
        long out = Long.parseLong(args[5]);
        Path samples = args.length > 6 ? Path.of(args[6]) : null;
        int length = capacity + BroadcastBufferDescriptor.TRAILER_LENGTH;
        ProcessCpu.nanos();
        try (Memfd memfd = Memfd.inherit(Peers.SHM_FD); Mapping mapping = memfd.map()) {
            mapping.populate(); // no first-touch stalls in a measured block (docs/benchmarks.md)
            long address = mapping.segment().address();
            UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            BroadcastTransmitter pub = out < 0 ? null : new BroadcastTransmitter(new UnsafeBuffer(address + out, length));
            CopyBroadcastReceiver sub = in < 0 ? null : new CopyBroadcastReceiver(
                    new BroadcastReceiver(new UnsafeBuffer(address + in, length)), Math.max(size, 4096));
            Receiver receiver = new Receiver();
            long[] next = {0};
            CrewMember.Role member = switch (role) {
                case "pub" -> count -> {
                    long t0 = System.nanoTime();
                    long cpu = ProcessCpu.nanos();
                    long from = next[0];
                    for (long seq = from; seq < from + count; seq++) {
                        payload.putLong(0, seq, ByteOrder.nativeOrder());
                        pub.transmit(1, payload, 0, size);
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
                    awaitSequence(sub, receiver, idle, end - 1);
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
                            payload.putLong(0, seq, ByteOrder.nativeOrder());
                            pub.transmit(1, payload, 0, size);
                            awaitSequence(sub, receiver, idle, seq);
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
                        awaitSequence(sub, receiver, idle, seq);
                        payload.putLong(0, seq, ByteOrder.nativeOrder());
                        pub.transmit(1, payload, 0, size);
                    }
                    return new Crew.Report(t0, System.nanoTime(), ProcessCpu.nanos() - cpu, count, 0, 0);
                };
                default -> throw new IllegalArgumentException("role: pub, sub, ping-a or ping-b: " + role);
            };
            CrewMember.serve(member);
        }
    }

    /** Receives until the message of sequence {@code seq} (or a later one) has arrived, idling with {@code idle}. */
    private static void awaitSequence(CopyBroadcastReceiver sub, Receiver receiver, IdleStrategy idle, long seq) {
        idle.reset();
        while (receiver.last < seq) {
            int n;
            try {
                n = sub.receive(receiver);
            } catch (IllegalStateException lapped) {
                // "unable to keep up with broadcast": lapped (the receiver moved on to the latest record, which
                // CopyBroadcastReceiver then drops) or overwritten during the copy. Take the latest record if it is
                // still whole: it may be the block's last message, after which nothing comes. What was missed shows
                // in the sequence numbers.
                BroadcastReceiver r = sub.broadcastReceiver();
                long latest = r.buffer().getLong(r.offset(), ByteOrder.nativeOrder());
                if (r.validate() && latest > receiver.last) {
                    receiver.lost += latest - receiver.last - 1;
                    receiver.last = latest;
                    receiver.received++;
                }
                n = 1;
            }
            idle.idle(n);
        }
    }
}
