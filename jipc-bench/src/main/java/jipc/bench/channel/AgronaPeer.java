package jipc.bench.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import jipc.bench.ChannelPeer;
import jipc.bench.CrewMember;
import jipc.bench.HandoffPeer;
import jipc.bench.PeerArgs;
import jipc.bench.Peers;
import jipc.bench.ProcessCpu;
import jipc.shm.Mapping;
import jipc.shm.Memfd;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * One side of the Agrona pairs, run as its own JVM by {@link ChannelPairs} (with
 * {@link ChannelPairs#AGRONA_JVM_OPTIONS}): Agrona's {@link OneToOneRingBuffer} over the shared memfd at fd 3, with
 * the arguments, messages and output files of {@link jipc.bench.ChannelPeer}, so that the pairs differ only in the
 * ring. Ring 0 (a to b) is at offset 0, ring 1 (b to a) right after it at {@link ChannelPairs#ringBytes}; each is
 * {@code CAPACITY} bytes plus Agrona's trailer, wrapped by an {@link UnsafeBuffer} at the mapping's address. The
 * memfd starts zeroed, which is an empty Agrona ring.
 *
 * <pre>
 *   ping a|b spin SIZE WARMUP ROUNDS CAPACITY [OUT]      a: t0; write on 0; read 1 (spinning); t1 -- b: the mirror
 *   send|recv spin SIZE WARMUP COUNT CAPACITY OUT        throughput over ring 0; OUT: "MESSAGES ELAPSED_NS CPU_NS"
 *   crew ping a|b spin SIZE CAPACITY [SAMPLES]           as {@link ChannelPeer}'s crew modes, block by block
 *   crew send|recv spin SIZE CAPACITY
 * </pre>
 *
 * <p>Agrona has no cross-process wake-up, so the only strategy is {@code spin}: re-try with
 * {@link Thread#onSpinWait()}. Messages are written with the copying {@link OneToOneRingBuffer#write} and read with
 * {@link OneToOneRingBuffer#read(MessageHandler)} (a view of the record in the ring; the one-producer ring does not
 * zero what was read: its producer zeroes the header word after each record it claims, as jipc's one-producer
 * channel does), as jipc's peers use {@code offer} and the zero-copy {@code poll}. Type 1, sequence number in the
 * first 8 bytes (native order); a gap exits with status 1.
 */
public final class AgronaPeer {
    private static final int WARMUP_CHUNK = 1000;

    private AgronaPeer() {
    }

    /** Checks sequence numbers; {@code expected} is the next one. */
    private static final class Receiver implements MessageHandler {
        long expected;

        @Override
        public void onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
            long seq = buffer.getLong(index, ByteOrder.nativeOrder());
            if (type != 1 || seq != expected) {
                System.err.println("AgronaPeer: message out of sequence: type " + type + ", seq " + seq
                        + ", expected " + expected);
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
        if (!a.strategy().equals("spin")) {
            System.err.println("AgronaPeer: strategy " + a.strategy() + ": Agrona only spins (spin)");
            System.exit(64);
        }
        boolean ping = a.ping();
        boolean sideA = a.sideA();
        String mode = a.mode();
        int size = a.size();
        long warmup = a.warmup();
        long count = a.count();
        long capacity = a.capacity();
        Path out = a.out();
        long ringBytes = ChannelPairs.ringBytes(ChannelPairs.Peer.AGRONA, capacity);
        int length = (int) (capacity + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH);
        ProcessCpu.nanos(); // links the downcall before anything is measured
        try (Memfd memfd = Memfd.inherit(Peers.SHM_FD); Mapping mapping = memfd.map()) {
            mapping.populate(); // no first-touch stalls in a measured block (docs/benchmarks.md)
            long address = mapping.segment().address();
            OneToOneRingBuffer ab = new OneToOneRingBuffer(new UnsafeBuffer(address, length));
            UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            if (ping) {
                OneToOneRingBuffer ba = new OneToOneRingBuffer(new UnsafeBuffer(address + ringBytes, length));
                if (sideA) {
                    pingA(ab, ba, payload, size, warmup, (int) count, out);
                } else {
                    answer(ab, ba, payload, size, warmup + count);
                }
            } else if (mode.equals("send")) {
                sendRange(ab, payload, size, 0, warmup);
                long cpu = ProcessCpu.nanos();
                long start = System.nanoTime();
                sendRange(ab, payload, size, warmup, warmup + count);
                ChannelPeer.writeResult(out, count, System.nanoTime() - start, ProcessCpu.nanos() - cpu);
            } else {
                Receiver receiver = new Receiver();
                while (receiver.expected < warmup) {
                    receive(ab, receiver);
                }
                long cpu = ProcessCpu.nanos();
                long start = System.nanoTime();
                while (receiver.expected < warmup + count) {
                    receive(ab, receiver);
                }
                ChannelPeer.writeResult(out, count, System.nanoTime() - start, ProcessCpu.nanos() - cpu);
            }
        }
    }

    private static final String USAGE = "usage: AgronaPeer ping a|b spin SIZE WARMUP ROUNDS CAPACITY [OUT]\n"
            + "       AgronaPeer send|recv spin SIZE WARMUP COUNT CAPACITY OUT";

    /** The crew modes, as {@link ChannelPeer}'s: attach, then serve blocks until told to quit. */
    private static void crew(String[] args) throws Exception {
        boolean ping = args.length >= 6 && args[1].equals("ping");
        boolean stream = args.length == 5 && (args[1].equals("send") || args[1].equals("recv"));
        int shift = ping ? 1 : 0;
        if (!ping && !stream || ping && args.length > 7 || !args[2 + shift].equals("spin")) {
            System.err.println("usage: AgronaPeer crew ping a|b spin SIZE CAPACITY [SAMPLES]\n"
                    + "       AgronaPeer crew send|recv spin SIZE CAPACITY");
            System.exit(64);
        }
        int size = Integer.parseInt(args[3 + shift]);
        long capacity = Long.parseLong(args[4 + shift]);
        long ringBytes = ChannelPairs.ringBytes(ChannelPairs.Peer.AGRONA, capacity);
        int length = (int) (capacity + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH);
        ProcessCpu.nanos();
        try (Memfd memfd = Memfd.inherit(Peers.SHM_FD); Mapping mapping = memfd.map()) {
            mapping.populate(); // no first-touch stalls in a measured block (docs/benchmarks.md)
            long address = mapping.segment().address();
            OneToOneRingBuffer ab = new OneToOneRingBuffer(new UnsafeBuffer(address, length));
            UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            Receiver receiver = new Receiver();
            if (ping) {
                OneToOneRingBuffer ba = new OneToOneRingBuffer(new UnsafeBuffer(address + ringBytes, length));
                if (args[2].equals("a")) {
                    Path samples = args.length == 7 ? Path.of(args[6]) : null;
                    CrewMember.serve(CrewMember.timedRoundTrips(seq -> {
                        payload.putLong(0, seq, ByteOrder.nativeOrder());
                        send(ab, payload, size);
                        receive(ba, receiver);
                    }, samples));
                } else {
                    CrewMember.serve(CrewMember.echoes(seq -> {
                        receive(ab, receiver);
                        payload.putLong(0, seq, ByteOrder.nativeOrder());
                        send(ba, payload, size);
                    }));
                }
            } else if (args[1].equals("send")) {
                long[] next = {0};
                CrewMember.serve(CrewMember.measured(count -> {
                    sendRange(ab, payload, size, next[0], next[0] + count);
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

    private static void pingA(OneToOneRingBuffer ab, OneToOneRingBuffer ba, UnsafeBuffer payload, int size,
            long warmup, int rounds, Path out) throws IOException {
        Receiver receiver = new Receiver();
        long[] scratch = new long[WARMUP_CHUNK];
        for (long done = 0; done < warmup; done += WARMUP_CHUNK) {
            roundTrips(ab, ba, payload, size, receiver, scratch, (int) Math.min(WARMUP_CHUNK, warmup - done));
        }
        long[] samples = new long[rounds];
        roundTrips(ab, ba, payload, size, receiver, samples, rounds);
        HandoffPeer.writeSamples(out, samples);
    }

    private static void roundTrips(OneToOneRingBuffer ab, OneToOneRingBuffer ba, UnsafeBuffer payload, int size,
            Receiver receiver, long[] samples, int count) {
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            payload.putLong(0, receiver.expected, ByteOrder.nativeOrder());
            send(ab, payload, size);
            receive(ba, receiver);
            samples[i] = System.nanoTime() - start;
        }
    }

    private static void answer(OneToOneRingBuffer ab, OneToOneRingBuffer ba, UnsafeBuffer payload, int size,
            long count) {
        Receiver receiver = new Receiver();
        while (receiver.expected < count) {
            long before = receiver.expected;
            receive(ab, receiver);
            for (long seq = before; seq < receiver.expected; seq++) {
                payload.putLong(0, seq, ByteOrder.nativeOrder());
                send(ba, payload, size);
            }
        }
    }

    private static void sendRange(OneToOneRingBuffer ring, UnsafeBuffer payload, int size, long from, long to) {
        for (long seq = from; seq < to; seq++) {
            payload.putLong(0, seq, ByteOrder.nativeOrder());
            send(ring, payload, size);
        }
    }

    /** Writes one message, spinning while the ring is full. */
    private static void send(OneToOneRingBuffer ring, UnsafeBuffer payload, int size) {
        while (!ring.write(1, payload, 0, size)) {
            Thread.onSpinWait();
        }
    }

    /** Reads at least one message (all there are), spinning while there is none. */
    private static void receive(OneToOneRingBuffer ring, Receiver receiver) {
        while (ring.read(receiver) == 0) {
            Thread.onSpinWait();
        }
    }
}
