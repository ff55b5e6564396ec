package jipc.bench.suite;

import java.util.List;
import java.util.Optional;

/**
 * One measured figure of {@code jipc bench}: a mechanism, written by one implementation, at one message size, for one
 * kind of measurement. The unit of the console table, the JSON file and the HTML report. Fields that do not apply to
 * a kind are {@code NaN} (numbers) or empty (the percentile curve).
 *
 * @param mechanism what is measured, the same string for every implementation of it so rows can be paired:
 *        {@code "pipe"}, {@code "fifo"}, {@code "unix socket"}, {@code "tcp loopback"}, {@code "channel spin"},
 *        {@code "channel hybrid"}, {@code "channel futex"}, {@code "shm spin flag"}, {@code "futex"},
 *        {@code "memcpy"}, ...; a jipc row whose peers run their blocking calls on a virtual thread adds
 *        {@link #VIRTUAL_THREAD} to its platform-thread twin's: {@code "channel futex (virtual thread)"}
 * @param implementation who wrote the code on both ends: {@code "jipc"}, {@code "C"}, {@code "JDK"}, {@code "Agrona"}
 * @param kind latency (ping-pong round trips), throughput (one way), or the CPU of an idle blocked receiver
 * @param messageSize payload bytes per message (0 for {@link Kind#IDLE_CPU})
 * @param count round trips (latency) or messages (throughput) measured, after warm-up
 * @param p50 round-trip nanoseconds at the 50th percentile (latency only), and so on
 * @param curve the round-trip percentile curve for plots (latency only), e.g. 0, 50, 90, 99, 99.9, 99.99, 100
 * @param messagesPerSecond one-way messages per second (throughput only)
 * @param bytesPerSecond one-way payload bytes per second (throughput only)
 * @param senderCpuNanosPerMessage CPU time (user + system) of the sending side per message, or NaN if not measured
 * @param receiverCpuNanosPerMessage the same for the receiving side
 * @param idleCpuPercent percent of one core an idle receiver burns while blocked ({@link Kind#IDLE_CPU} only)
 * @param pinning how the two processes were placed, e.g. {@code "cpu 0,1"}, {@code "cpu 0,0"}, {@code "none"}
 * @param note anything a reader needs to judge the figure (pipe size, wait strategy details), or empty
 */
public record Result(String mechanism, String implementation, Kind kind, int messageSize, long count,
        double p50, double p90, double p99, double p999, double max, double mean, List<Point> curve,
        double messagesPerSecond, double bytesPerSecond,
        double senderCpuNanosPerMessage, double receiverCpuNanosPerMessage,
        double idleCpuPercent, String pinning, String note) {

    /**
     * The suffix of a mechanism measured with jipc's peers on a virtual thread, beside the same mechanism on a
     * platform thread: {@code "pipe"} and {@code "pipe (virtual thread)"}.
     */
    public static final String VIRTUAL_THREAD = " (virtual thread)";

    /** What a result measures. */
    public enum Kind {
        /** Ping-pong round trips between two processes. */
        LATENCY,
        /** One producer process to one consumer process, as fast as it goes. */
        THROUGHPUT,
        /** CPU burnt by a receiver blocked with nothing to receive, per second of wall time. */
        IDLE_CPU
    }

    /** One point of a percentile curve: {@code nanos} at {@code percentile} (0..100). */
    public record Point(double percentile, double nanos) {
    }

    public Result {
        curve = List.copyOf(curve);
    }

    /** The row name shown to readers: {@code "jipc pipe"}, {@code "C channel spin"}. */
    public String name() {
        return implementation + " " + mechanism;
    }

    /**
     * The mechanism of this row's platform-thread twin: {@code "pipe"} for {@code "pipe (virtual thread)"}, empty for
     * a row that is not on a virtual thread.
     */
    public Optional<String> platformThreadMechanism() {
        return mechanism.endsWith(VIRTUAL_THREAD)
                ? Optional.of(mechanism.substring(0, mechanism.length() - VIRTUAL_THREAD.length()))
                : Optional.empty();
    }
}
