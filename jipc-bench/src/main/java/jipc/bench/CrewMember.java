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
                        + r.p50());
                out.flush();
            }
        } catch (Exception e) {
            System.err.println("crew member failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
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
