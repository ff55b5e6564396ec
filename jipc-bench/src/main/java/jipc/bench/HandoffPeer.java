package jipc.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.sync.Semaphore;

/**
 * One side of the Java hand-off ping-pong, run as its own JVM by {@link Handoff}: it finds the shared memfd at
 * fd 3, attaches to the two binary semaphores the harness created there, and plays its side.
 *
 * <pre>
 *   side a: t0 = nanoTime; S1.release(); S2.acquire(); t1 = nanoTime     one round trip, t1 - t0 recorded
 *   side b:                S1.acquire(); S2.release()
 * </pre>
 *
 * <p>Usage: {@code HandoffPeer a|b WARMUP ROUNDS [SAMPLES_FILE]}; side a writes the ROUNDS round-trip times as
 * little-endian int64 nanoseconds to SAMPLES_FILE, the format {@code futex_pingpong.c} writes too.
 */
public final class HandoffPeer {
    /** Size of the shared memfd. */
    static final long SEGMENT_SIZE = 4096;
    /** Offset of S1 (a to b). */
    static final long S1_OFFSET = 0;
    /** Offset of S2 (b to a): 128 bytes away, so the two words never share a cache line or its prefetch pair. */
    static final long S2_OFFSET = 128;

    /** Rounds per call of {@link #roundTrips} during warm-up: many calls, so the JIT compiles it as a method. */
    private static final int WARMUP_CHUNK = 1000;

    private HandoffPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !(args[0].equals("a") && args.length == 4 || args[0].equals("b") && args.length == 3)) {
            System.err.println("usage: HandoffPeer a WARMUP ROUNDS SAMPLES_FILE | HandoffPeer b WARMUP ROUNDS");
            System.exit(64);
        }
        long warmup = Long.parseLong(args[1]);
        int rounds = Integer.parseInt(args[2]);
        try (Memfd memfd = Memfd.inherit(Peers.SHM_FD); Mapping mapping = memfd.map()) {
            mapping.populate(); // no first-touch stalls in a measured block (docs/benchmarks.md)
            Semaphore s1 = Semaphore.attach(mapping.segment(), S1_OFFSET);
            Semaphore s2 = Semaphore.attach(mapping.segment(), S2_OFFSET);
            if (args[0].equals("b")) {
                answer(s1, s2, warmup + rounds);
            } else {
                long[] scratch = new long[WARMUP_CHUNK];
                for (long done = 0; done < warmup; done += WARMUP_CHUNK) {
                    roundTrips(s1, s2, scratch, (int) Math.min(WARMUP_CHUNK, warmup - done));
                }
                long[] samples = new long[rounds];
                roundTrips(s1, s2, samples, rounds);
                writeSamples(Path.of(args[3]), samples);
            }
        }
    }

    /** Side a: {@code count} round trips, each one's time in nanoseconds into {@code samples}. */
    private static void roundTrips(Semaphore s1, Semaphore s2, long[] samples, int count)
            throws InterruptedException {
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            s1.release();
            s2.acquire();
            samples[i] = System.nanoTime() - start;
        }
    }

    /** Side b: takes each turn a gives and gives it back. */
    private static void answer(Semaphore s1, Semaphore s2, long count) throws InterruptedException {
        for (long i = 0; i < count; i++) {
            s1.acquire();
            s2.release();
        }
    }

    public static void writeSamples(Path file, long[] samples) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(samples.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(samples);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
    }
}
