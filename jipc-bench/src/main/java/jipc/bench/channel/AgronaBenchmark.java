package jipc.bench.channel;

import java.util.ArrayList;
import java.util.List;

import jipc.bench.channel.ChannelPairs.Peer;
import jipc.bench.channel.ChannelPairs.Throughput;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Step;

/**
 * {@code jipc bench} measurements of Agrona's one-producer ring buffer
 * ({@code org.agrona.concurrent.ringbuffer.OneToOneRingBuffer}) across two processes, over the same kind of shared
 * memfd as the channel pairs of {@link ChannelBenchmark} and with the same messages, so its rows pair up with the
 * jipc and C-twin rows: latency {@code "channel spin"} (ping-pong over two rings, spinning) and throughput
 * {@code "channel"} (one producer process, one consumer process, spinning: Agrona has no cross-process wake-up),
 * both by {@code "Agrona"}. The peers ({@link AgronaPeer}) run with {@link ChannelPairs#AGRONA_JVM_OPTIONS}.
 * Run alone: {@code ./jipc bench --only agrona [--full] [--pin A,B] [--steps TEXT,...]}. The quick run with its own
 * sizes measures nothing here: its Agrona rows (64 B round trips, 64 B and 64 KiB throughput) come from the channel
 * suite's paired steps then ({@link ChannelPaired}), which run Agrona's pairs beside jipc's.
 */
public final class AgronaBenchmark implements Benchmark {
    static final String PEER_NOTE = "Agrona " + version() + " peers run with " + String.join(" ",
            ChannelPairs.AGRONA_JVM_OPTIONS) + " (Agrona 2.x on JDK 25); ";

    /**
     * Agrona's version from the {@code pom.properties} its jar carries (and the shaded jars keep); not the package's
     * manifest version, which a shaded jar's own manifest replaces.
     */
    private static String version() {
        try (java.io.InputStream in = org.agrona.concurrent.ringbuffer.OneToOneRingBuffer.class.getResourceAsStream(
                "/META-INF/maven/org.agrona/agrona/pom.properties")) {
            if (in != null) {
                java.util.Properties properties = new java.util.Properties();
                properties.load(in);
                return properties.getProperty("version", "2.x");
            }
        } catch (java.io.IOException e) {
            // fall through: the version is only a note
        }
        return "2.x";
    }

    @Override
    public String id() {
        return "agrona";
    }

    @Override
    public List<Step> steps(Plan plan) {
        List<Step> steps = new ArrayList<>();
        // the quick run with its own sizes takes Agrona's rows from the channel suite's paired steps
        boolean quick = plan.quickDefaults();
        for (int size : quick ? List.<Integer>of() : plan.latencySizes()) {
            steps.add(new Step("latency: Agrona channel spin " + ChannelBenchmark.size(size),
                    ChannelBenchmark.latencyEstimate(plan, true, "spin", size), (p, log) -> {
                        ChannelPairs pairs = Rows.pairs(p, log);
                        var histogram = pairs.pingPong(Peer.AGRONA, "spin", size,
                                Rows.warmupRounds(p, size, false), Rows.rounds(p, size, false));
                        return List.of(Rows.latency("channel spin", "Agrona", size, histogram, Rows.pinning(pairs),
                                PEER_NOTE + "two OneToOneRingBuffers of " + ChannelPairs.capacity(size)
                                        + " B (a to b, b to a), write + read, busy spin with Thread.onSpinWait()"
                                        + Rows.roundsNote(p, size, false)));
                    }));
        }
        for (int size : plan.throughputSizes()) {
            if (quick && ChannelPaired.pairedThroughput(size)) {
                continue;
            }
            steps.add(new Step("throughput: Agrona channel " + ChannelBenchmark.size(size),
                    ChannelBenchmark.throughputEstimate(plan, true, size), (p, log) -> {
                        ChannelPairs pairs = Rows.pairs(p, log);
                        Throughput t = pairs.throughput(Peer.AGRONA, "spin", size, Rows.warmupMessages(p, size),
                                Rows.messages(p, size));
                        return List.of(Rows.throughput("channel", "Agrona", t, Rows.pinning(pairs), PEER_NOTE
                                + "one producer process, one consumer process, a OneToOneRingBuffer of "
                                + ChannelPairs.capacity(size) + " B; write + read, both spin (no cross-process"
                                + " wake-up in Agrona); timed by the consumer after " + Rows.warmupMessages(p, size)
                                + " warm-up messages; CPU per message: CLOCK_PROCESS_CPUTIME_ID of each process"));
                    }));
        }
        return steps;
    }
}
