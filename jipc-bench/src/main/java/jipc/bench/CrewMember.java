package jipc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The member's half of the {@link Crew} protocol, for the Java peers: says {@code ready}, then runs one block per
 * {@code run COUNT} line on stdin and answers {@code done T0 T1 CPU COUNT LOST P50}, until {@code quit} or the end of
 * stdin. Between blocks the member is blocked reading stdin.
 */
public final class CrewMember {
    private CrewMember() {
    }

    /** A member's part of one block. */
    @FunctionalInterface
    public interface Role {
        /** Runs a block of {@code count} messages (or round trips) and returns its report. */
        Crew.Report block(long count) throws Exception;
    }

    /** Serves {@code role} until told to quit; a failing block prints its error and exits with status 1. */
    public static void serve(Role role) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.US_ASCII);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        out.println("ready");
        out.flush();
        try {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.strip();
                if (line.equals("quit")) {
                    break;
                }
                if (!line.startsWith("run ")) {
                    System.err.println("crew member: unknown command '" + line + "'");
                    System.exit(64);
                }
                Crew.Report r = role.block(Long.parseLong(line.substring(4)));
                out.println("done " + r.t0() + " " + r.t1() + " " + r.cpu() + " " + r.count() + " " + r.lost() + " "
                        + r.p50() + (r.allocated() >= 0 ? " " + r.allocated() : ""));
                out.flush();
            }
        } catch (Exception e) {
            System.err.println("crew member failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * Round trips at the start of each ping-pong block that are not timed ({@link #timedRoundTrips}): the echoing side
     * has just woken from {@code read(2)} on its control pipe. {@code channel_bench.c}'s crew modes use the same.
     */
    public static final int SYNC_ROUND_TRIPS = 16;

    /** One round trip of the measuring side, for the message with sequence number {@code seq}. */
    @FunctionalInterface
    public interface RoundTrip {
        void run(long seq) throws Exception;
    }

    /** The hot loop of a member that does not time single messages: handles {@code count} messages. */
    @FunctionalInterface
    public interface Batch {
        void run(long count) throws Exception;
    }

    /**
     * The measuring side of a ping-pong: per block {@value #SYNC_ROUND_TRIPS} untimed round trips, then {@code COUNT}
     * timed ones (sequence numbers go on across blocks), their times appended to {@code samples} (if not
     * {@code null}) and their median reported, with the bytes this thread allocated in the loop.
     */
    public static Role timedRoundTrips(RoundTrip trip, Path samples) {
        long[] next = {0};
        long[][] times = {new long[0]};
        return count -> {
            if (times[0].length < count) {
                times[0] = new long[(int) count];
            }
            long[] t = times[0];
            long seq = next[0];
            long t0 = System.nanoTime();
            long cpu = ProcessCpu.nanos();
            long allocated = allocatedBytes();
            for (int i = 0; i < SYNC_ROUND_TRIPS; i++) {
                trip.run(seq++);
            }
            for (int i = 0; i < count; i++) {
                t[i] = timeOne(trip, seq++);
            }
            long allocatedAfter = allocatedBytes();
            long t1 = System.nanoTime();
            long cpuUsed = ProcessCpu.nanos() - cpu;
            next[0] = seq;
            if (samples != null) {
                appendSamples(samples, t, (int) count);
            }
            return new Crew.Report(t0, t1, cpuUsed, count, 0, median(t, (int) count),
                    allocated < 0 ? -1 : allocatedAfter - allocated);
        };
    }

    /**
     * One timed round trip, a method of its own: the JIT compiles it with the round trip inlined after a few thousand
     * calls (C2 at 5 000 invocations), well inside the warm-up, while the loop that calls it runs interpreted until
     * an on-stack replacement compile after some 100 000 iterations (60 000 back edges for C1, 40 000 more for C2):
     * with the clock read in the loop, the first blocks after a warm-up of 15 000 round trips timed an interpreted
     * loop (docs/benchmarks.md, "The first seconds of a paired step").
     */
    private static long timeOne(RoundTrip trip, long seq) throws Exception {
        long start = System.nanoTime();
        trip.run(seq);
        return System.nanoTime() - start;
    }

    /**
     * The echoing side of a ping-pong: per block {@value #SYNC_ROUND_TRIPS} + {@code COUNT} calls of {@code echo}
     * with the sequence number of the message it is to answer (going on across blocks), reported as {@link #measured}
     * does. Each echo is a call the JIT compiles early (see {@link #timeOne}), not a loop body waiting for an
     * on-stack replacement.
     */
    public static Role echoes(RoundTrip echo) {
        long[] next = {0};
        return measured(count -> {
            long seq = next[0];
            for (long i = 0; i < count; i++) {
                echo.run(seq++);
            }
            next[0] = seq;
        }, SYNC_ROUND_TRIPS);
    }

    /**
     * A member whose block is {@code batch.run(COUNT + extra)}, reported with the bytes this thread allocated in it
     * ({@code extra}: {@value #SYNC_ROUND_TRIPS} for the echoing side of a ping-pong, else 0).
     */
    public static Role measured(Batch batch, int extra) {
        return count -> {
            long t0 = System.nanoTime();
            long cpu = ProcessCpu.nanos();
            long allocated = allocatedBytes();
            batch.run(count + extra);
            long allocatedAfter = allocatedBytes();
            long t1 = System.nanoTime();
            return new Crew.Report(t0, t1, ProcessCpu.nanos() - cpu, count, 0, 0,
                    allocated < 0 ? -1 : allocatedAfter - allocated);
        };
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * The bytes the calling thread has allocated so far ({@code com.sun.management.ThreadMXBean
     * .getCurrentThreadAllocatedBytes}), or -1 if the JVM does not measure it; read before and after a block's hot
     * loop, the difference is what the loop allocated (the call itself allocates nothing).
     */
    public static long allocatedBytes() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled()
                ? THREADS.getCurrentThreadAllocatedBytes() : -1;
    }

    /** The median of the first {@code n} samples (the upper one of two middles). */
    public static long median(long[] samples, int n) {
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        return sorted[n / 2];
    }

    /** Appends the first {@code n} samples to {@code file} as little-endian int64 (the format of Peers.readSamples). */
    public static void appendSamples(Path file, long[] samples, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(samples, 0, n);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
    }
}
