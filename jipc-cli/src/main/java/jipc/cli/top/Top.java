package jipc.cli.top;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Json;
import jipc.stale.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc top [--once] [--json] [--interval 1s] [--sort rate|name|fill|lag] [PREFIX]}: a live table of every
 * jipc object on the host, refreshed every interval. Rates are deltas of the positions the parties publish, over the
 * time between two reads of the same header, so they cost the parties nothing.
 */
@Command(name = "top", description = {"Show every named IPC object of this host in a table that refreshes: jipc "
        + "channels, topics and rpc objects, other POSIX shared memory (/dev/shm), POSIX named semaphores and System V "
        + "segments.",
        "Columns: KIND (channel 1:1 or N:1, topic block or overwrite, rpc, shm, sem, sysv); NAME; SIZE; TAIL, the bytes "
                + "ever written to the ring (rpc: to its request channel); FILL, used bytes of a channel's ring; RATE, "
                + "bytes/s written, from the tail's movement between two samples ('?' before the second sample); MSG/S, "
                + "messages/s (topics only: their records carry sequence numbers; a channel counts no messages, and "
                + "counting would cost every message); LAG, a channel's unconsumed bytes or a topic's slowest "
                + "subscriber's bytes behind the tail; PID, the channel's consumer, topic's publisher or rpc service, "
                + "with '+' alive or '!' dead; SLEEP, the consumer (channel) or subscribers (topic) asleep on the futex; "
                + "PEERS, live/recorded producers, subscribers or rpc clients; WAIT, writers asleep on a full ring; "
                + "STATE: stale (what 'jipc clean' removes), in-use or unknown.",
                "Only reads: maps each header read-only, never writes and never takes a role. On a terminal the table "
                        + "is redrawn in place and keys sort it: r rate, n name, f fill, l lag; q quits. Otherwise it "
                        + "prints one table (or, with --json, one JSON array) per interval; --once prints one and exits. "
                        + "--once samples the positions twice, at least 200 ms apart (or --interval), so its rates are "
                        + "rates over that window."})
public final class Top implements Callable<Integer> {
    /** The sort orders of the {@code --sort} option and the keys. */
    public enum Sort { rate, name, fill, lag }

    private static final Duration ONCE_WINDOW = Duration.ofMillis(200);
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    private static final String CLEAR = "\033[H\033[2J";

    @Parameters(paramLabel = "PREFIX", arity = "0..1",
            description = "Only objects whose NAME starts with PREFIX: /orders (POSIX objects, semaphores by their "
                    + "sem_open name) or id: (System V segments).")
    String prefix;

    @Option(names = "--once", description = "Print one sample and exit.")
    boolean once;

    @Option(names = "--json", description = "Print one JSON array per sample (one object per line) instead of a table.")
    boolean json;

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", converter = Converters.Timeout.class,
            description = "Time between samples: 500ms, 1s, 2m (default: 1s; with --once the sampling window, "
                    + "default 200ms).")
    Duration interval;

    @Option(names = {"-s", "--sort"}, paramLabel = "ORDER", defaultValue = "rate",
            description = "Sort by rate (busiest first), name, fill (fullest first) or lag (largest first); "
                    + "default: ${DEFAULT-VALUE}.")
    Sort sort;

    @Override
    public Integer call() throws Exception {
        if (prefix != null && !prefix.startsWith("/") && !prefix.startsWith("id:")) {
            throw new Failure(ExitCodes.USAGE, "PREFIX '" + prefix + "' names no object: it starts with / (POSIX "
                    + "objects and semaphores) or id: (System V segments)");
        }
        Duration step = interval != null ? interval : once ? ONCE_WINDOW : DEFAULT_INTERVAL;
        if (step.isZero() || step.compareTo(Duration.ofHours(24)) > 0) {
            throw new Failure(ExitCodes.USAGE, "--interval " + step.toMillis() + "ms: expected more than 0 and at "
                    + "most 24h");
        }
        Sampler sampler = new Sampler(prefix);
        boolean terminal = !once && !json && System.console() != null && System.console().isTerminal();
        return terminal ? interactive(sampler, step) : stream(sampler, step);
    }

    /** One table or JSON array per interval (or one with {@code --once}) to standard output. */
    private int stream(Sampler sampler, Duration step) throws IOException, InterruptedException {
        // the first rates need a sample before: a short window, so the first table comes at once
        Duration first = step.compareTo(ONCE_WINDOW) < 0 || once ? step : ONCE_WINDOW;
        Map<String, Snapshot> before = index(sampler.read(sampler.objects()));
        Thread.sleep(first);
        PrintStream out = System.out;
        for (;;) {
            List<Verdict> objects = sampler.objects();
            List<Snapshot> now = sampler.read(objects);
            List<Row> rows = rows(before, now);
            out.print(json ? json(rows) : table(rows, null));
            if (!json && !once) {
                out.println();
            }
            out.flush();
            if (out.checkError()) {
                return ExitCodes.READER_GONE; // the reader of standard output went away (| head)
            }
            if (once) {
                return ExitCodes.OK;
            }
            before = index(now);
            Thread.sleep(step);
        }
    }

    /** The terminal view: redrawn in place every interval, keys to sort and quit. */
    private int interactive(Sampler sampler, Duration step) throws IOException, InterruptedException {
        Terminal terminal = Terminal.raw();
        try {
            Map<String, Snapshot> before = index(sampler.read(sampler.objects()));
            Thread.sleep(ONCE_WINDOW);
            for (;;) {
                List<Snapshot> now = sampler.read(sampler.objects());
                List<Row> rows = rows(before, now);
                before = index(now);
                long deadline = System.nanoTime() + step.toNanos();
                draw(rows, step);
                while (System.nanoTime() - deadline < 0) {
                    int key = terminal.key();
                    Sort chosen = switch (key) {
                        case 'r', 'R' -> Sort.rate;
                        case 'n', 'N' -> Sort.name;
                        case 'f', 'F' -> Sort.fill;
                        case 'l', 'L' -> Sort.lag;
                        case 'q', 'Q', 3, 4 -> null; // q, Ctrl-C, Ctrl-D
                        default -> sort;
                    };
                    if (chosen == null) {
                        return ExitCodes.OK;
                    }
                    if (chosen != sort) {
                        sort = chosen;
                        draw(rows, step);
                    }
                    if (key < 0) {
                        Thread.sleep(50);
                    }
                }
            }
        } finally {
            terminal.restore();
        }
    }

    private void draw(List<Row> rows, Duration step) {
        String title = "jipc top: " + rows.size() + " object" + (rows.size() == 1 ? "" : "s")
                + (prefix == null ? "" : " under " + prefix) + ", every " + step.toMillis() + " ms, sorted by " + sort
                + "   keys: r rate  n name  f fill  l lag  q quit";
        System.out.print(CLEAR + table(rows, title));
        System.out.flush();
    }

    private static Map<String, Snapshot> index(List<Snapshot> snapshots) {
        Map<String, Snapshot> byKey = new HashMap<>();
        for (Snapshot s : snapshots) {
            byKey.put(s.key(), s);
        }
        return byKey;
    }

    /** One object's snapshot and its rates since the sample before ({@code -1}: unknown). */
    record Row(Snapshot s, double bytesPerSec, double messagesPerSec) {
    }

    private List<Row> rows(Map<String, Snapshot> before, List<Snapshot> now) {
        List<Row> rows = new ArrayList<>(now.size());
        for (Snapshot s : now) {
            Snapshot b = before.get(s.key());
            double bytes = -1;
            double messages = -1;
            if (b != null && s.hasRing() && b.hasRing() && s.at() > b.at() && s.tail() >= b.tail()) {
                double seconds = (s.at() - b.at()) / 1e9;
                bytes = (s.tail() - b.tail()) / seconds;
                if (s.sequence() >= 0 && b.sequence() >= 0 && s.sequence() >= b.sequence()) {
                    messages = (s.sequence() - b.sequence()) / seconds;
                }
            }
            rows.add(new Row(s, bytes, messages));
        }
        Comparator<Row> byName = Comparator.comparing(r -> r.s().name());
        Comparator<Row> order = switch (sort) {
            case rate -> Comparator.comparingDouble(Row::bytesPerSec).reversed().thenComparing(byName);
            case name -> byName.thenComparing(r -> r.s().kind());
            case fill -> Comparator.comparingDouble((Row r) -> r.s().fill()).reversed().thenComparing(byName);
            case lag -> Comparator.comparingLong((Row r) -> r.s().lag()).reversed().thenComparing(byName);
        };
        rows.sort(order);
        return rows;
    }

    // ---- the table -----------------------------------------------------------------------------------------------

    private static final String[] HEADER = {"KIND", "NAME", "SIZE", "TAIL", "FILL", "RATE", "MSG/S", "LAG", "PID",
        "SLEEP", "PEERS", "WAIT", "STATE"};
    private static final boolean[] RIGHT = {false, false, true, true, true, true, true, true, true, true, true, true,
        false};

    static String table(List<Row> rows, String title) {
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADER);
        for (Row r : rows) {
            Snapshot s = r.s();
            boolean ring = s.hasRing();
            lines.add(new String[] {
                s.kindColumn(),
                s.name(),
                bytes(s.size()),
                ring ? Long.toString(s.tail()) : "-",
                s.fill() < 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", s.fill()),
                !ring ? "-" : r.bytesPerSec() < 0 ? "?" : bytes(Math.round(r.bytesPerSec())) + "/s",
                r.messagesPerSec() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.messagesPerSec()),
                ring ? bytes(s.lag()) : "-",
                !ring ? "-" : s.consumerAlive() == null ? "none"
                        : s.consumerPid() + (s.consumerAlive() ? "+" : "!"),
                ring ? Long.toString(s.sleeping()) : "-",
                ring ? s.partiesAlive() + "/" + s.parties() : s.attached() >= 0 ? s.attached() + " att" : "-",
                ring ? Long.toString(s.waiting()) : "-",
                s.state(),
            });
        }
        int[] width = new int[HEADER.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        if (title != null) {
            out.append(title).append("\n\n");
        }
        for (String[] line : lines) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                String pad = " ".repeat(width[i] - line[i].length());
                l.append(RIGHT[i] ? pad + line[i] : line[i] + pad).append("  ");
            }
            out.append(l.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** Bytes for people: {@code 512}, {@code 64K}, {@code 1.5M} (K = 1024). */
    static String bytes(long n) {
        if (n < 1024) {
            return Long.toString(n);
        }
        String units = "KMGTPE";
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return (v < 10 && v != Math.floor(v) ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.0f", v)) + units.charAt(u);
    }

    // ---- JSON ----------------------------------------------------------------------------------------------------

    static String json(List<Row> rows) {
        StringBuilder out = new StringBuilder("[");
        String separator = "\n";
        for (Row r : rows) {
            Snapshot s = r.s();
            out.append(separator).append("  {\"kind\": ").append(Json.quote(s.kind()))
                    .append(", \"variant\": ").append(Json.quote(s.variant()))
                    .append(", \"name\": ").append(Json.quote(s.name()))
                    .append(", \"size\": ").append(s.size());
            if (s.hasRing()) {
                out.append(", \"capacity\": ").append(s.capacity())
                        .append(", \"tail\": ").append(s.tail());
                if (s.head() >= 0) {
                    out.append(", \"head\": ").append(s.head())
                            .append(", \"used\": ").append(s.tail() - s.head())
                            .append(", \"fill\": ").append(String.format(Locale.ROOT, "%.3f", s.fill()));
                }
                out.append(", \"bytesPerSec\": ").append(rate(r.bytesPerSec()));
                if (s.kind().equals("topic")) {
                    out.append(", \"nextSequence\": ").append(s.sequence())
                            .append(", \"messagesPerSec\": ").append(rate(r.messagesPerSec()));
                }
                out.append(", \"lag\": ").append(s.lag());
                String who = switch (s.kind()) {
                    case "topic" -> "publisher";
                    case "rpc" -> "service";
                    default -> "consumer";
                };
                out.append(", \"").append(who).append("Pid\": ").append(s.consumerAlive() == null ? "null"
                                : Integer.toString(s.consumerPid()))
                        .append(", \"").append(who).append("Alive\": ").append(s.consumerAlive());
                switch (s.kind()) {
                    case "topic" -> out.append(", \"publisherWaiting\": ").append(s.waiting() != 0)
                            .append(", \"subscribers\": ").append(s.parties())
                            .append(", \"subscribersAlive\": ").append(s.partiesAlive())
                            .append(", \"sleeping\": ").append(s.sleeping());
                    case "rpc" -> out.append(", \"clients\": ").append(s.parties())
                            .append(", \"clientsAlive\": ").append(s.partiesAlive())
                            .append(", \"serviceSleeping\": ").append(s.sleeping() != 0)
                            .append(", \"clientsWaiting\": ").append(s.waiting());
                    default -> out.append(", \"consumerSleeping\": ").append(s.sleeping() != 0)
                            .append(", \"producers\": ").append(s.parties())
                            .append(", \"producersAlive\": ").append(s.partiesAlive())
                            .append(", \"producersWaiting\": ").append(s.waiting());
                }
            }
            if (s.attached() >= 0) {
                out.append(", \"attached\": ").append(s.attached());
            }
            out.append(", \"state\": ").append(Json.quote(s.state()))
                    .append(", \"stale\": ").append(s.state().equals("stale"))
                    .append(", \"why\": ").append(Json.quote(s.why())).append('}');
            separator = ",\n";
        }
        return out.append(rows.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    private static String rate(double perSecond) {
        return perSecond < 0 ? "null" : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    // ---- the terminal --------------------------------------------------------------------------------------------

    /**
     * The controlling terminal in "raw-ish" mode ({@code stty -icanon -echo}: keys arrive one by one, unechoed), set
     * and restored with {@code stty} on {@code /dev/tty}, also when the JVM is stopped by Ctrl-C.
     */
    private static final class Terminal {
        private final String saved;
        private final Thread restoreAtExit;

        private Terminal(String saved) {
            this.saved = saved;
            this.restoreAtExit = new Thread(this::undo, "jipc-top-restore-tty");
        }

        static Terminal raw() throws IOException, InterruptedException {
            String saved = stty("-g").strip();
            stty("-icanon", "-echo", "min", "1");
            Terminal terminal = new Terminal(saved);
            Runtime.getRuntime().addShutdownHook(terminal.restoreAtExit);
            System.out.print("\033[?25l"); // hide the cursor while drawing
            return terminal;
        }

        /** The next key pressed, or -1 if none is waiting (never blocks). */
        int key() throws IOException {
            return System.in.available() > 0 ? System.in.read() : -1;
        }

        void restore() {
            try {
                Runtime.getRuntime().removeShutdownHook(restoreAtExit);
            } catch (IllegalStateException e) {
                // shutting down: the hook restores
            }
            undo();
        }

        private void undo() {
            System.out.print("\033[?25h\n");
            System.out.flush();
            try {
                stty(saved);
            } catch (IOException | InterruptedException e) {
                // the terminal is gone
            }
        }

        private static String stty(String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("stty"));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("stty " + String.join(" ", args) + " failed");
            }
            return out;
        }
    }
}
