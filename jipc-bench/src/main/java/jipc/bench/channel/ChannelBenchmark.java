package jipc.bench.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jipc.bench.channel.ChannelPairs.Peer;
import jipc.bench.channel.ChannelPairs.Throughput;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;

/**
 * {@code jipc bench} measurements of the shared-memory channel across two processes, beside its C twin and the C
 * floors, all in one run ({@link ChannelPairs} runs them):
 *
 * <ul>
 *   <li>latency, per {@link Plan#latencySizes() size}: ping-pong over two rings (a to b, b to a), round trips timed
 *       by side a. {@code "channel spin|hybrid|futex"} by {@code "jipc"} ({@link jipc.channel.OneToOneChannel} with
 *       {@code WaitStrategy.busySpin()/hybrid()/futex()}) and {@code "C"} (the C twin {@code jipc_channel.c} with the
 *       same strategies); {@code "channel futex (virtual thread)"} by {@code "jipc"}: the same futex pair with each
 *       side's loop on a virtual thread, one more pair of the paired step (a wait parks the virtual thread
 *       and a futex-waiter thread unparks it: the cost of not pinning a carrier); the C floors
 *       {@code "shm spin flag"} (payload memcpy, release store of a sequence word, acquire spin on it) and
 *       {@code "futex"} (the same, sleeping in {@code FUTEX_WAIT}, always woken);</li>
 *   <li>throughput, per {@link Plan#throughputSizes() size}: {@code "channel"} by jipc and by the C twin (one
 *       producer process, one consumer process, both waiting with hybrid), and {@code "memcpy"} by C (one process
 *       copying each message into a shared ring area: the physical limit);</li>
 *   <li>the goals of issue 16 as paired ratios ({@link ChannelPaired}): per latency size, and throughput at 64 B and
 *       64 KiB, all pairs of a comparison kept alive and measured block by block in turn. These steps also give the
 *       latency rows above and the throughput rows at 64 B and 64 KiB; the single-row throughput steps measure the
 *       other sizes;</li>
 *   <li>idle CPU: a receiver blocked on an empty channel for {@link Plan#idleSeconds()}: jipc futex (on a platform
 *       thread and on a virtual thread) and hybrid, C twin futex; one step, the four receivers warmed together and
 *       watched over the same window ({@link ChannelPairs#idleCpu(List, double)}).</li>
 * </ul>
 * Run alone: {@code ./jipc bench --only channel [--full] [--pin A,B] [--steps TEXT,...] [--jvm-option=OPT]...}.
 */
public final class ChannelBenchmark implements Benchmark {
    static final List<String> STRATEGIES = List.of("spin", "hybrid", "futex");
    /** Estimates: a pair of JVMs starting and stopping, a pair of C processes, per round trip and per byte. */
    static final double JVM_PAIR_SECONDS = 1.5;
    static final double C_PAIR_SECONDS = 0.05;
    static final double SPIN_ROUND_TRIP_SECONDS = 1e-6;
    static final double FUTEX_ROUND_TRIP_SECONDS = 30e-6;
    static final double COPY_SECONDS_PER_BYTE = 4 / 4e9;

    @Override
    public String id() {
        return "channel";
    }

    @Override
    public List<Step> steps(Plan plan) {
        List<Step> steps = new ArrayList<>();
        // The paired steps (ChannelPaired) measure every latency row (the virtual-thread one too) and the throughput
        // rows at 64 B and 64 KiB; the single-row steps remain for the other throughput sizes.
        for (int size : plan.throughputSizes()) {
            if (ChannelPaired.pairedThroughput(size)) {
                continue;
            }
            steps.add(throughput(plan, Peer.JIPC, size));
            steps.add(throughput(plan, Peer.C, size));
            steps.add(memcpy(plan, size));
        }
        steps.addAll(ChannelPaired.steps(plan));
        steps.add(idle(plan));
        return steps;
    }

    static String implementation(Peer peer) {
        return switch (peer) {
            case JIPC, JIPC_VIRTUAL -> "jipc";
            case C -> "C";
            case AGRONA -> "Agrona";
        };
    }

    /**
     * The mechanism of {@code peer}'s rows: {@code "channel futex"}, or {@code "channel futex (virtual thread)"} for
     * {@link Peer#JIPC_VIRTUAL}, so that the two jipc rows of a strategy sit side by side in one table.
     */
    static String mechanism(Peer peer, String strategy) {
        return "channel " + strategy + (peer == Peer.JIPC_VIRTUAL ? Result.VIRTUAL_THREAD : "");
    }

    static String size(int bytes) {
        return bytes % (1 << 20) == 0 ? bytes / (1 << 20) + " MiB" : bytes % 1024 == 0 ? bytes / 1024 + " KiB"
                : bytes + " B";
    }

    /** The estimate of a ping-pong of {@code peer} (startup, round trips at the strategy's pace, copies). */
    static Duration latencyEstimate(Plan plan, boolean jvm, String strategy, int size) {
        boolean sleeping = strategy.equals("futex");
        long rounds = Rows.rounds(plan, size, sleeping) + Rows.warmupRounds(plan, size, sleeping);
        double perRound = (strategy.equals("futex") ? FUTEX_ROUND_TRIP_SECONDS : SPIN_ROUND_TRIP_SECONDS)
                + size * COPY_SECONDS_PER_BYTE;
        return seconds((jvm ? JVM_PAIR_SECONDS : C_PAIR_SECONDS) + rounds * perRound);
    }

    /**
     * The estimate of a throughput pair: startup, then the messages at 10 M/s or 10 GB/s, whichever is slower (a
     * quiet 2-vCPU machine gives 9 to 40 M messages/s of 64 B and 10 to 30 GB/s of 64 KiB).
     */
    static Duration throughputEstimate(Plan plan, boolean jvm, int size) {
        double messages = Rows.messages(plan, size) + Rows.warmupMessages(plan, size);
        return seconds((jvm ? JVM_PAIR_SECONDS : C_PAIR_SECONDS) + messages * Math.max(100e-9, size / 10e9));
    }

    static Duration seconds(double seconds) {
        return Duration.ofMillis((long) (seconds * 1000));
    }

    /** What the threads of {@code peer} do, for the note of a virtual-thread row; empty for any other. */
    static String threadNote(Peer peer) {
        return peer != Peer.JIPC_VIRTUAL ? "" : "; the echoing (or idle) side b's loop on a virtual thread"
                + " (jipc.bench.OnVirtualThread; side a, which measures, on a platform thread): a futex wait parks it, a jipc-futex-waiter thread in futex_waitv unparks it (one hop more per"
                + " wake than a platform thread's FUTEX_WAIT)";
    }

    static String note(String strategy) {
        return switch (strategy) {
            case "spin" -> "busy spin: jipc WaitStrategy.busySpin(), C re-check with pause";
            case "hybrid" -> "hybrid: 1000 spins, then futex (jipc WaitStrategy.hybrid(), the same in C)";
            default -> "futex: sleep in FUTEX_WAIT at once (jipc WaitStrategy.futex(), C jipc_channel_wait_message)";
        };
    }

    private static Step latency(Plan plan, Peer peer, String strategy, int size) {
        String implementation = implementation(peer);
        String mechanism = mechanism(peer, strategy);
        return new Step("latency: " + implementation + " " + mechanism + " " + size(size),
                latencyEstimate(plan, peer != Peer.C, strategy, size), (p, log) -> {
                    ChannelPairs pairs = Rows.pairs(p, log);
                    boolean sleeping = strategy.equals("futex");
                    var histogram = pairs.pingPong(peer, strategy, size, Rows.warmupRounds(p, size, sleeping),
                            Rows.rounds(p, size, sleeping));
                    return List.of(Rows.latency(mechanism, implementation, size, histogram,
                            Rows.pinning(pairs), "two one-producer channels of " + ChannelPairs.capacity(size)
                                    + " B (a to b, b to a), offer + zero-copy poll; " + note(strategy)
                                    + threadNote(peer) + Rows.roundsNote(p, size, sleeping)));
                });
    }

    private static Step throughput(Plan plan, Peer peer, int size) {
        String implementation = implementation(peer);
        return new Step("throughput: " + implementation + " channel " + size(size),
                throughputEstimate(plan, peer != Peer.C, size), (p, log) -> {
                    ChannelPairs pairs = Rows.pairs(p, log);
                    Throughput t = pairs.throughput(peer, "hybrid", size, Rows.warmupMessages(p, size),
                            Rows.messages(p, size));
                    return List.of(Rows.throughput("channel", implementation, t, Rows.pinning(pairs),
                            "one producer process, one consumer process, a one-producer channel of "
                                    + ChannelPairs.capacity(size) + " B; offer (put when full) + zero-copy poll,"
                                    + " both wait with hybrid; timed by the consumer after "
                                    + Rows.warmupMessages(p, size) + " warm-up messages; CPU per message:"
                                    + " CLOCK_PROCESS_CPUTIME_ID of each whole process"));
                });
    }

    private static Step memcpy(Plan plan, int size) {
        return new Step("throughput: C memcpy " + size(size), throughputEstimate(plan, false, size), (p, log) -> {
            ChannelPairs pairs = Rows.pairs(p, log);
            Throughput t = pairs.memcpy(size, Rows.warmupMessages(p, size), Rows.messages(p, size));
            return List.of(Rows.throughput("memcpy", "C", t, Rows.pinning(pairs),
                    "the physical limit: one process memcpy-ing each message into the ring area ("
                            + ChannelPairs.capacity(size) + " B) of a shared memfd, no consumer; receiver CPU ="
                            + " the copier's"));
        });
    }

    /** The idle receivers, in the order they are watched and their rows printed. */
    private static final List<ChannelPairs.IdleReceiver> IDLE_RECEIVERS = List.of(
            new ChannelPairs.IdleReceiver(Peer.JIPC, "futex"),
            new ChannelPairs.IdleReceiver(Peer.JIPC_VIRTUAL, "futex"),
            new ChannelPairs.IdleReceiver(Peer.JIPC, "hybrid"),
            new ChannelPairs.IdleReceiver(Peer.C, "futex"));

    /**
     * One step for the four idle receivers ({@link ChannelPairs#idleCpu(List, double)}): they start and warm up
     * together and are watched over the same window.
     */
    private static Step idle(Plan plan) {
        double warmup = ChannelPairs.IDLE_WARMUP_MESSAGES * (ChannelPairs.IDLE_WARMUP_GAP.toMillis() + 0.2) / 1e3;
        return new Step("idle CPU: jipc channel futex, futex (virtual thread), hybrid; C channel futex",
                // three JVMs start on side b's CPU: about two pairs' time (5.9 and 6.1 s in two quick runs, 6 Dec)
                seconds(2 * JVM_PAIR_SECONDS + warmup + ChannelPairs.IDLE_SETTLE.toMillis() / 1e3
                        + plan.idleSeconds()), (p, log) -> {
                    ChannelPairs pairs = Rows.pairs(p, log);
                    List<ChannelPairs.Idle> idles = pairs.idleCpu(IDLE_RECEIVERS, p.idleSeconds());
                    List<Result> rows = new ArrayList<>();
                    for (int i = 0; i < IDLE_RECEIVERS.size(); i++) {
                        ChannelPairs.IdleReceiver receiver = IDLE_RECEIVERS.get(i);
                        rows.add(idleRow(p, pairs, receiver.peer(), receiver.strategy(), idles.get(i)));
                    }
                    return rows;
                });
    }

    private static Result idleRow(Plan p, ChannelPairs pairs, Peer peer, String strategy, ChannelPairs.Idle idle) {
        return Rows.idle(mechanism(peer, strategy), implementation(peer), idle.percent(), Rows.pinning(pairs),
                "a receiver blocked on an empty channel for " + p.idleSeconds() + " s, after "
                        + ChannelPairs.IDLE_WARMUP_MESSAGES + " warm-up messages one at a time (each "
                        + ChannelPairs.IDLE_WARMUP_GAP.toMillis() + " ms after the one before was taken, so each"
                        + " wakes it) and " + ChannelPairs.IDLE_SETTLE.toMillis() + " ms to settle; the four"
                        + " receivers start, warm up and are watched together, each in a process of its own; CPU of"
                        + " all its threads from"
                        + " /proc/PID/task/*/schedstat; busiest threads: " + idle.busiest() + "; " + note(strategy)
                        + threadNote(peer));
    }
}
