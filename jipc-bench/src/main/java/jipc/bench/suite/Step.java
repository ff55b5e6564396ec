package jipc.bench.suite;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * One unit of a {@code jipc bench} run, known with its time estimate before anything runs, so the runner can show a
 * progress bar with the time left. Typically one mechanism by one implementation at one size.
 *
 * @param name what the progress line shows, e.g. {@code "latency: C pipe 64 B"}
 * @param estimate how long it is expected to take on a 2-core machine (the progress bar's estimate)
 * @param body runs it and returns its results
 */
public record Step(String name, Duration estimate, Body body) {
    /** The work of a step. */
    @FunctionalInterface
    public interface Body {
        /**
         * Measures; {@code log} takes details for a verbose log (commands, compile lines), never the progress bar.
         *
         * @throws IOException if a peer, gcc or a system call fails (the runner reports it and goes on)
         */
        List<Result> run(Plan plan, PrintStream log) throws IOException, InterruptedException;
    }

    /**
     * The work of a step that also measures {@link PairedRatio}s ({@link Paired}): the runner keeps both its rows and
     * its ratios.
     */
    @FunctionalInterface
    public interface PairedBody extends Body {
        /** Measures; as {@link Body#run}. */
        Outcome measure(Plan plan, PrintStream log) throws IOException, InterruptedException;

        @Override
        default List<Result> run(Plan plan, PrintStream log) throws IOException, InterruptedException {
            return measure(plan, log).rows();
        }
    }

    /** What a {@link PairedBody} measured: its rows and its paired ratios. */
    public record Outcome(List<Result> rows, List<PairedRatio> ratios) {
        public Outcome {
            rows = List.copyOf(rows);
            ratios = List.copyOf(ratios);
        }
    }
}
