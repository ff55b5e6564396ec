package jipc.bench.suite;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jipc.bench.ClassArchive;

/**
 * Runs {@code jipc bench}: asks every selected {@link Benchmark} for all its {@link Step}s first (so the total
 * estimate is known), then runs them in order, showing {@link Progress}. A step that throws is reported and the run
 * goes on; the {@link SuiteRun} lists it among its failures. Steps run on the calling thread, one at a time: two
 * measurements at once would disturb each other. A {@link StepFilter} ({@code --steps}) narrows the steps, and a
 * repeat count ({@code --repeat}) runs them several times round robin, keeping each row's median run.
 */
public final class Runner {
    private final Plan plan;
    private final StepFilter filter;
    private final int repeat;
    private final Progress progress;
    private final Consumer<String> log;
    private final List<Result> results = new CopyOnWriteArrayList<>();
    private final List<StepFailure> failures = new CopyOnWriteArrayList<>();
    private final List<PairedRatio> paired = new CopyOnWriteArrayList<>();
    private volatile RunInfo info;
    private volatile long startNanos;

    /**
     * A runner of every step, each once.
     *
     * @param plan what to measure
     * @param progress where progress goes
     * @param log takes every line the steps write to their log stream (the verbose log), each prefixed by nothing;
     *        the runner adds a {@code "== step"} line before each step's lines
     */
    public Runner(Plan plan, Progress progress, Consumer<String> log) {
        this(plan, StepFilter.ALL, 1, progress, log);
    }

    /**
     * A runner of the steps {@code filter} selects, each {@code repeat} times.
     *
     * @param plan what to measure
     * @param filter which steps run ({@code --steps})
     * @param repeat how many times every selected step runs ({@code --repeat}), round robin: all selected steps once,
     *        then all again, so a burst of load on a shared machine hits every implementation alike; with more than
     *        one, the run keeps each row's median run ({@link Medians})
     * @param progress where progress goes
     * @param log takes every line the steps write to their log stream (the verbose log), each prefixed by nothing;
     *        the runner adds a {@code "== step"} line before each step's lines
     * @throws IllegalArgumentException if {@code repeat} is below 1
     */
    public Runner(Plan plan, StepFilter filter, int repeat, Progress progress, Consumer<String> log) {
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat takes a count of at least 1: " + repeat);
        }
        this.plan = plan;
        this.filter = filter;
        this.repeat = repeat;
        this.progress = progress;
        this.log = log;
    }

    /** The benchmarks registered in {@code META-INF/services/jipc.bench.suite.Benchmark}, in file order. */
    public static List<Benchmark> registered() {
        List<Benchmark> all = new ArrayList<>();
        ServiceLoader.load(Benchmark.class, Runner.class.getClassLoader()).forEach(all::add);
        return all;
    }

    /**
     * The benchmarks of {@code all} whose id is in {@code only} (in {@code all}'s order), or all of them if
     * {@code only} is empty.
     *
     * @throws IllegalArgumentException naming the known ids if an id in {@code only} matches no benchmark
     */
    public static List<Benchmark> select(List<Benchmark> all, Collection<String> only) {
        if (only.isEmpty()) {
            return List.copyOf(all);
        }
        Map<String, Benchmark> byId = new LinkedHashMap<>();
        all.forEach(benchmark -> byId.put(benchmark.id(), benchmark));
        for (String id : only) {
            if (!byId.containsKey(id)) {
                throw new IllegalArgumentException("--only: no benchmark '" + id + "'; known: "
                        + (byId.isEmpty() ? "none registered" : String.join(", ", byId.keySet())));
            }
        }
        return all.stream().filter(benchmark -> only.contains(benchmark.id())).toList();
    }

    /**
     * Runs every step of {@code benchmarks} that the filter selects, each as many times as asked; call once per
     * runner.
     *
     * @throws InterruptedException if the thread is interrupted (the run stops; {@link #soFar()} has what was done)
     */
    public SuiteRun run(List<Benchmark> benchmarks) throws InterruptedException {
        startNanos = System.nanoTime();
        List<Benchmark> listed = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        for (Benchmark benchmark : benchmarks) {
            List<Step> selected = selectedSteps(benchmark, "steps of " + benchmark.id());
            // The benchmarks none of whose steps the filter selects are left out of the run and of its facts; one
            // that failed to list its steps stays in them.
            if (selected == null || !selected.isEmpty() || filter.texts().isEmpty()) {
                listed.add(benchmark);
            }
            if (selected != null) {
                steps.addAll(selected);
            }
        }
        info = RunInfo.start(describe(), plan.pinning(), listed.stream().map(Benchmark::id).toList());
        steps = bySize(steps);
        if (repeat > 1) {
            steps = rounds(steps, listed);
        }
        progress.begin(steps);
        try {
            // the run's Java peers share one class archive, made when the first of them starts
            ClassArchive.begin(plan.jvmOptions(), log);
        } catch (IOException e) {
            log.accept("class archive: none (" + e.getMessage() + ")");
        }
        try {
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                progress.stepStarted(i);
                log.accept("== " + step.name());
                StepFailure failure = null;
                try (PrintStream stepLog = new PrintStream(new LogLines(log), true, StandardCharsets.UTF_8)) {
                    List<Result> produced;
                    List<PairedRatio> ratios = List.of();
                    if (step.body() instanceof Step.PairedBody pairedBody) {
                        Step.Outcome outcome = pairedBody.measure(plan, stepLog);
                        produced = outcome == null ? null : outcome.rows();
                        ratios = outcome == null ? ratios : outcome.ratios();
                    } else {
                        produced = step.body().run(plan, stepLog);
                    }
                    if (produced == null) {
                        throw new IllegalStateException("the step returned no result list");
                    }
                    results.addAll(produced);
                    paired.addAll(ratios);
                } catch (IOException | RuntimeException | LinkageError e) {
                    // LinkageError: e.g. a peer library's IllegalAccessError without its --add-exports
                    failure = StepFailure.of(step.name(), e);
                    failures.add(failure);
                    log.accept("FAILED: " + failure.error());
                }
                progress.stepFinished(i, failure);
            }
        } finally {
            ClassArchive.end();
            progress.close();
        }
        return soFar();
    }

    /**
     * The results and failures collected so far (all of them once {@link #run} returned), e.g. for a run stopped by
     * Ctrl-C; {@code null} before the run started. Safe to call from another thread.
     */
    public SuiteRun soFar() {
        RunInfo started = info;
        if (started == null) {
            return null;
        }
        return new SuiteRun(started.finish((System.nanoTime() - startNanos) / 1e9),
                repeat > 1 ? Medians.of(results) : List.copyOf(results), List.copyOf(failures),
                repeat > 1 ? Medians.ofPaired(paired) : List.copyOf(paired));
    }

    /** The plan's description, then the filter's and the repetition's if they apply. */
    private String describe() {
        String description = plan.describe();
        if (!filter.texts().isEmpty()) {
            description += "; " + filter.describe();
        }
        if (repeat > 1) {
            description += "; every step " + repeat + " times, round robin, the median run shown";
        }
        return description;
    }

    /**
     * {@link #repeat} rounds of the selected steps: the first round's {@code first}, then fresh lists from the
     * benchmarks (a list's steps may share state that its last step cleans up), each name followed by
     * {@code " (run r/N)"}.
     */
    private List<Step> rounds(List<Step> first, List<Benchmark> benchmarks) {
        List<Step> all = new ArrayList<>(named(first, 1));
        for (int round = 2; round <= repeat; round++) {
            List<Step> steps = new ArrayList<>();
            for (Benchmark benchmark : benchmarks) {
                List<Step> selected = selectedSteps(benchmark,
                        "steps of " + benchmark.id() + " (run " + round + "/" + repeat + ")");
                if (selected != null) {
                    steps.addAll(selected);
                }
            }
            all.addAll(named(bySize(steps), round));
        }
        return all;
    }

    /**
     * The steps of {@code benchmark} the filter selects, or {@code null} if listing them threw: then the failure is
     * recorded under {@code label} and reported on the progress stream, and the run goes on without them.
     */
    private List<Step> selectedSteps(Benchmark benchmark, String label) {
        try {
            return filter.apply(benchmark.steps(plan));
        } catch (RuntimeException | LinkageError e) {
            StepFailure failure = StepFailure.of(label, e);
            failures.add(failure);
            progress.line(label + " FAILED: " + failure.error());
            return null;
        }
    }

    private static final Pattern SIZED = Pattern.compile("(latency|throughput): .* (\\d+) (B|KiB|MiB)");

    /**
     * The steps with the steps of one kind and message size next to each other, across benchmarks: the steps named
     * {@code "latency: ... SIZE"} by size, then {@code "throughput: ... SIZE"} by size, then
     * {@code "idle CPU: ..."}, each group in list order, in the places such steps held; every other step keeps its
     * place. So the channel's and
     * Agrona's 64 B round trips run seconds apart, not minutes: on a VM whose cross-core speed changes every few
     * minutes (docs/benchmarks.md, "The machine's two states") only rows measured close together compare.
     */
    static List<Step> bySize(List<Step> steps) {
        record Sized(long key, Step step) {
        }
        List<Integer> places = new ArrayList<>();
        List<Sized> sized = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            long key = sizeKey(steps.get(i).name());
            if (key >= 0) {
                places.add(i);
                sized.add(new Sized(key, steps.get(i)));
            }
        }
        sized.sort(Comparator.comparingLong(Sized::key));
        List<Step> ordered = new ArrayList<>(steps);
        for (int k = 0; k < places.size(); k++) {
            ordered.set(places.get(k), sized.get(k).step());
        }
        return ordered;
    }

    /** Kind (latency 0, throughput 1, idle 2) * 2^40 + message size in bytes, or -1 for any other step name. */
    private static long sizeKey(String name) {
        if (name.startsWith("idle CPU: ")) {
            return 2L << 40;
        }
        Matcher m = SIZED.matcher(name);
        if (!m.matches()) {
            return -1;
        }
        long bytes = Long.parseLong(m.group(2)) * switch (m.group(3)) {
            case "KiB" -> 1024L;
            case "MiB" -> 1024L * 1024;
            default -> 1L;
        };
        return (m.group(1).equals("latency") ? 0L : 1L << 40) + bytes;
    }

    private List<Step> named(List<Step> steps, int round) {
        return steps.stream().map(s -> new Step(s.name() + " (run " + round + "/" + repeat + ")", s.estimate(),
                s.body())).toList();
    }
}
