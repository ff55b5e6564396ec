package jipc.channel;

import static jipc.testing.ThreadAllocation.allocatedBytes;
import static jipc.testing.ThreadAllocation.sliceBytes;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child JVM for {@link FutexRoundTripAllocationTest}: two threads ping-pong {@code ROUNDS} messages of {@code SIZE}
 * bytes over two channels in one shared arena, both waiting with {@link WaitStrategy#futex()} (every wait sleeps in
 * {@code FUTEX_WAIT}, every hand-over to a sleeper is a {@code FUTEX_WAKE}), and prints per thread the bytes it
 * allocated in the measured round trips and how many times it slept, plus the size of one slice of a native segment
 * (what {@code RingChannel.poll} hands a {@link MessageHandler}). HANDLER {@code view} receives with
 * {@code poll} and a {@link MessageHandler}, {@code ring} with {@code pollRing} and a {@link RingHandler}:
 *
 * <pre>
 *   slice BYTES
 *   ping ALLOCATED SLEPT
 *   pong ALLOCATED SLEPT
 * </pre>
 *
 * Arguments: {@code SIZE WARMUP ROUNDS view|ring|many|stream} ({@code many}: {@code pollRing} over two
 * {@link ManyToOneChannel}s, whose consumer also zeroes what it consumed; {@code stream}: no round trips, ping only
 * sends and pong only receives with {@code pollRing} over the first channel, so that with messages of a good part of
 * the ring ping waits for room again and again: the producer's wait). Each side first tries the non-blocking {@code offer} and {@code poll} and only then the blocking {@code put} and
 * {@code poll(handler, limit, null)}, as the benchmark's peers do.
 */
public final class FutexRoundTripChild {
    /** The ring of the round trips: room for the 16 KiB messages (above the native copy threshold) eight times. */
    private static final long CAPACITY = 256 * 1024;
    /** The ring of {@code stream}: 64 KiB, so that messages of 8 000 bytes fill it and the producer waits for room. */
    private static final long STREAM_CAPACITY = 64 * 1024;

    private FutexRoundTripChild() {
    }

    /** Checks the sequence numbers; {@code expected} is the next one. Both kinds of handler. */
    private static final class Receiver implements MessageHandler, RingHandler {
        long expected;

        @Override
        public void onMessage(int type, MemorySegment payload) {
            check(payload.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        }

        @Override
        public void onMessage(int type, MemorySegment ring, long offset, int length) {
            check(ring.get(ValueLayout.JAVA_LONG_UNALIGNED, offset));
        }

        private void check(long seq) {
            if (seq != expected) {
                throw new IllegalStateException("message " + seq + ", expected " + expected);
            }
            expected++;
        }
    }

    /** One side's loop: WARMUP then ROUNDS exchanges, the second part measured. */
    private static final class Side implements Runnable {
        final String name;
        final MessageChannel out;
        final MessageChannel in;
        final boolean first;
        final int size;
        final int warmup;
        final int rounds;
        final boolean ring;
        final boolean stream;
        long allocated = -1;
        long slept = -1;
        volatile Throwable failure;

        Side(String name, MessageChannel out, MessageChannel in, boolean first, int size, int warmup, int rounds,
                boolean ring, boolean stream) {
            this.ring = ring;
            this.stream = stream;
            this.name = name;
            this.out = out;
            this.in = in;
            this.first = first;
            this.size = size;
            this.warmup = warmup;
            this.rounds = rounds;
        }

        @Override
        public void run() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment payload = arena.allocate(size, 8);
                Receiver receiver = new Receiver();
                exchange(payload, receiver, warmup);
                long switches = voluntarySwitches();
                long before = allocatedBytes();
                exchange(payload, receiver, rounds);
                long after = allocatedBytes();
                slept = voluntarySwitches() - switches;
                allocated = after - before;
            } catch (Throwable t) {
                failure = t;
            }
        }

        /** The next sequence number a streaming producer sends. */
        private long sent;
        /** The messages a streaming consumer has been asked for so far (warm-up and rounds): all the producer sends. */
        private long wanted;

        private void exchange(MemorySegment payload, Receiver receiver, int n) throws InterruptedException {
            if (stream && !first) {
                // A receive takes all there are: count messages, not calls, against the producer's total, since the
                // warm-up's last receive may take some of the rounds' messages (a target relative to it waited for
                // messages never sent)
                wanted += n;
                while (receiver.expected < wanted) {
                    receive(receiver);
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                if (stream) {
                    send(payload, sent++);
                } else if (first) {
                    send(payload, receiver.expected);
                    receive(receiver);
                } else {
                    receive(receiver);
                    send(payload, receiver.expected - 1);
                }
            }
        }

        private void send(MemorySegment payload, long seq) throws InterruptedException {
            payload.set(ValueLayout.JAVA_LONG, 0, seq);
            if (!out.offer(1, payload)) {
                out.put(1, payload, null);
            }
        }

        private void receive(Receiver receiver) throws InterruptedException {
            if (ring) {
                if (in.pollRing(receiver, Integer.MAX_VALUE) == 0) {
                    while (in.pollRing(receiver, Integer.MAX_VALUE, null) == 0) {
                        // only padding was consumed: wait again
                    }
                }
                return;
            }
            if (in.poll(receiver) == 0) {
                while (in.poll(receiver, Integer.MAX_VALUE, null) == 0) {
                    // only padding was consumed: wait again
                }
            }
        }
    }

    /** This thread's voluntary context switches so far: each one a sleep (here: in FUTEX_WAIT). */
    private static long voluntarySwitches() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new IllegalStateException("no voluntary_ctxt_switches in /proc/thread-self/status");
    }

    private static MessageChannel create(MemorySegment segment, long capacity, int size, boolean many) {
        MessageChannel channel = many ? ManyToOneChannel.create(segment, capacity, size)
                : OneToOneChannel.create(segment, capacity, size);
        return channel.waitStrategy(WaitStrategy.futex());
    }

    private static MessageChannel attach(MemorySegment segment, boolean many) throws ChannelFormatException {
        MessageChannel channel = many ? ManyToOneChannel.attach(segment) : OneToOneChannel.attach(segment);
        return channel.waitStrategy(WaitStrategy.futex());
    }

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        boolean ring = !args[3].equals("view");
        boolean many = args[3].equals("many");
        boolean stream = args[3].equals("stream");
        long capacity = stream ? STREAM_CAPACITY : CAPACITY;
        long segmentSize = ChannelDescriptor.segmentSize(capacity);
        try (Arena shared = Arena.ofShared()) {
            MemorySegment ab = shared.allocate(segmentSize, 4096);
            MemorySegment ba = shared.allocate(segmentSize, 4096);
            System.out.println("slice " + sliceBytes(ab));
            MessageChannel pingOut = create(ab, capacity, size, many);
            MessageChannel pongIn = attach(ab, many);
            MessageChannel pongOut = create(ba, capacity, size, many);
            MessageChannel pingIn = attach(ba, many);
            Side ping = new Side("ping", pingOut, pingIn, true, size, warmup, rounds, ring, stream);
            Side pong = new Side("pong", pongOut, pongIn, false, size, warmup, rounds, ring, stream);
            Thread pongThread = Thread.ofPlatform().name("pong").start(pong);
            Thread pingThread = Thread.ofPlatform().name("ping").start(ping);
            pingThread.join();
            pongThread.join();
            for (Side side : new Side[] {ping, pong}) {
                if (side.failure != null) {
                    side.failure.printStackTrace();
                    System.exit(1);
                }
                System.out.println(side.name + " " + side.allocated + " " + side.slept);
            }
        }
    }
}
