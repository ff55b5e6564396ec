package jipc.bench.suite;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The progress of a {@code jipc bench} run on standard error. On a terminal: one line redrawn in place (a bar, the
 * step, n/N, the time elapsed and the time left), refreshed a few times a second while a step runs. Elsewhere (a
 * file, a pipe, CI): one line per finished step. The time left is the steps' estimates scaled by how long the finished
 * steps really took against their own estimates, so a machine twice as slow as the estimates soon shows twice the
 * time.
 *
 * <p>Lines of the verbose log and failures are printed above the bar ({@link #line(String)}), never inside it.
 */
public final class Progress implements AutoCloseable {
    private static final int BAR_WIDTH = 20;

    private final PrintStream out;
    private final boolean terminal;
    private final int width;
    private final long startNanos = System.nanoTime();
    private ScheduledExecutorService ticker;

    private List<Step> steps = List.of();
    private int current = -1;
    private long currentStartNanos;
    private long doneActualNanos;
    private long doneEstimateNanos;
    private boolean barShown;

    /**
     * @param out where to print (standard error)
     * @param terminal whether {@code out} is a terminal: redraw one line in place
     * @param width the terminal's columns (the bar line is cut to fit)
     */
    public Progress(PrintStream out, boolean terminal, int width) {
        this.out = out;
        this.terminal = terminal;
        this.width = Math.max(40, width);
    }

    /**
     * A progress display on {@code System.err}: in place if fd 2 is a terminal (and {@code TERM} is not
     * {@code dumb}), with the width from {@code COLUMNS} (default 100).
     */
    public static Progress onStandardError() {
        int columns = 100;
        try {
            columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100").strip());
        } catch (NumberFormatException e) {
            // keep the default
        }
        return new Progress(System.err, standardErrorIsTerminal(), columns);
    }

    /**
     * Whether fd 2 is a terminal: its {@code /proc/self/fd/2} link names a tty ({@code /dev/pts/N}, {@code /dev/ttyN}).
     * Reading the link avoids a native call for a cosmetic decision.
     */
    static boolean standardErrorIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The run of {@code all} steps starts. */
    public synchronized void begin(List<Step> all) {
        this.steps = List.copyOf(all);
        if (terminal && ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "jipc-bench-progress");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleAtFixedRate(this::redraw, 250, 250, TimeUnit.MILLISECONDS);
        }
    }

    /** Step {@code index} (0-based) starts. */
    public synchronized void stepStarted(int index) {
        current = index;
        currentStartNanos = System.nanoTime();
        if (terminal) {
            drawBar();
        }
    }

    /** Step {@code index} ended, with {@code failure} if it failed (then printed above the bar, or on its line). */
    public synchronized void stepFinished(int index, StepFailure failure) {
        long took = System.nanoTime() - currentStartNanos;
        doneActualNanos += took;
        doneEstimateNanos += steps.get(index).estimate().toNanos();
        current = index + 1 < steps.size() ? index + 1 : -1;
        currentStartNanos = System.nanoTime();
        Step step = steps.get(index);
        if (failure != null) {
            printAbove(String.format("[%d/%d] %s FAILED: %s", index + 1, steps.size(), step.name(), failure.error()));
        } else if (!terminal) {
            out.printf("[%d/%d] %s: %s (estimate %s), %s elapsed, ~%s left%n", index + 1, steps.size(), step.name(),
                    seconds(took), seconds(step.estimate().toNanos()), clock(System.nanoTime() - startNanos),
                    clock(left(0)));
        }
        if (terminal) {
            drawBar();
        }
    }

    /** Prints {@code text} as a line of its own (above the bar on a terminal). */
    public synchronized void line(String text) {
        printAbove(text);
    }

    /** Removes the bar (the console table follows) and stops refreshing. */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        if (barShown) {
            out.print("\r\033[K");
            out.flush();
            barShown = false;
        }
    }

    private synchronized void redraw() {
        if (current >= 0) {
            drawBar();
        }
    }

    private void printAbove(String text) {
        if (barShown) {
            out.print("\r\033[K");
        }
        out.println(text);
        if (terminal && current >= 0) {
            drawBar();
        } else {
            barShown = false;
        }
        out.flush();
    }

    private void drawBar() {
        if (current < 0) {
            return;
        }
        long inStep = System.nanoTime() - currentStartNanos;
        double done = steps.isEmpty() ? 1 : (double) current / steps.size();
        int filled = (int) Math.round(done * BAR_WIDTH);
        String line = "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + (current + 1) + "/"
                + steps.size() + " " + clock(System.nanoTime() - startNanos) + " elapsed, ~" + clock(left(inStep))
                + " left  " + steps.get(current).name();
        if (line.length() > width - 1) {
            line = line.substring(0, width - 1);
        }
        out.print("\r" + line + "\033[K");
        out.flush();
        barShown = true;
    }

    /** The time left in nanoseconds, with {@code inStep} nanoseconds of the current step gone. */
    private long left(long inStep) {
        long[] estimates = steps.stream().mapToLong(step -> step.estimate().toNanos()).toArray();
        return timeLeft(estimates, current < 0 ? estimates.length : current, doneActualNanos, doneEstimateNanos,
                inStep);
    }

    /**
     * The expected time left: the estimates of the steps from {@code current} on, scaled by actual / estimated of the
     * finished steps (1 before any finished), less the time already spent in the current step (never below 0 for it).
     */
    static long timeLeft(long[] estimates, int current, long doneActual, long doneEstimate, long inCurrent) {
        double scale = doneEstimate > 0 && doneActual > 0 ? (double) doneActual / doneEstimate : 1.0;
        if (current >= estimates.length) {
            return 0;
        }
        double later = 0;
        for (int i = current + 1; i < estimates.length; i++) {
            later += estimates[i];
        }
        double rest = Math.max(0, estimates[current] * scale - inCurrent);
        return (long) (later * scale + rest);
    }

    /** {@code m:ss} (or {@code h:mm:ss}). */
    static String clock(long nanos) {
        long total = Math.max(0, Math.round(nanos / 1e9));
        long hours = total / 3600;
        long minutes = total / 60 % 60;
        long secs = total % 60;
        return hours > 0 ? String.format("%d:%02d:%02d", hours, minutes, secs)
                : String.format("%d:%02d", minutes, secs);
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }
}
