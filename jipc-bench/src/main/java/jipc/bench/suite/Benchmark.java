package jipc.bench.suite;

import java.util.List;

/**
 * A family of cross-process measurements that {@code jipc bench} runs: e.g. pipes and FIFOs (jipc and C), sockets (JDK
 * and C), the channel (jipc, its C twin, Agrona, C floors). Each lists its {@link Step}s for a {@link Plan}; the runner
 * runs them in order with a progress bar and collects the {@link Result}s.
 */
public interface Benchmark {
    /** A short id for {@code --only ID}: {@code "pipe"}, {@code "socket"}, {@code "channel"}. */
    String id();

    /** The steps of a run of this plan, with estimates; nothing runs yet. */
    List<Step> steps(Plan plan);
}
