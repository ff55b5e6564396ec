package jipc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jipc.io.HasFd;
import jipc.io.ReadEnd;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * The processes of one side of a paired comparison ({@link jipc.bench.suite.Paired}), kept alive from the first block
 * to the last and driven block by block: e.g. a publisher and four subscribers, or the two ends of a ping-pong.
 *
 * <p>Each member gets the shared memory at fd {@value Peers#SHM_FD}, a control pipe as its stdin and a report pipe
 * as its stdout; stderr is this process's. The protocol is lines of text:
 * <pre>
 *   member -&gt; harness   ready                          once attached (subscribers: joined)
 *   harness -&gt; member   run COUNT                      one block: publish, receive or round-trip COUNT messages
 *   member -&gt; harness   done T0 T1 CPU COUNT LOST P50 [ALLOC]
 *                                                      the block: CLOCK_MONOTONIC start and end (ns, comparable
 *                                                      across processes), CPU of the whole process over the block
 *                                                      (ns), messages handled, messages lost, the median round trip
 *                                                      (ns; 0 where it does not apply), and optionally the bytes
 *                                                      the member's hot thread allocated over the block
 *   harness -&gt; member   quit (or end of file)          exit 0
 * </pre>
 * Between blocks every member is blocked in {@code read(2)} on its stdin: a side that is not measuring takes no CPU
 * from the one that is, whatever its wait strategy inside a block.
 */
public final class Crew implements AutoCloseable {
    /**
     * One member's report of a block.
     *
     * @param allocated the bytes the member's hot thread allocated over the block
     *        ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}), or -1 where it is not measured (the C
     *        members); sent as an eighth field {@code ALLOC} after {@code P50}
     */
    public record Report(long t0, long t1, long cpu, long count, long lost, long p50, long allocated) {
        /** A report without an allocation figure. */
        public Report(long t0, long t1, long cpu, long count, long lost, long p50) {
            this(t0, t1, cpu, count, lost, p50, -1);
        }

        static Report parse(String line) throws IOException {
            String[] f = line.strip().split(" ");
            if ((f.length != 7 && f.length != 8) || !f[0].equals("done")) {
                throw new IOException("expected 'done T0 T1 CPU COUNT LOST P50 [ALLOC]', got '" + line + "'");
            }
            return new Report(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]), f.length == 8 ? Long.parseLong(f[7]) : -1);
        }
    }

    private final String name;
    private final List<ChildProcess> children = new ArrayList<>();
    private final List<OutputStream> controls = new ArrayList<>();
    private final List<ReadEnd> reportEnds = new ArrayList<>();
    private final List<BufferedReader> reports = new ArrayList<>();
    private boolean ready;

    private Crew(String name) {
        this.name = name;
    }

    /**
     * Starts {@code commands} (in order) with {@code shared} at fd {@value Peers#SHM_FD} and waits until each has
     * said {@code ready}.
     *
     * @throws IOException if one fails to start or exits, or not all are ready within {@code limit} (all are killed)
     */
    public static Crew start(String name, List<List<String>> commands, HasFd shared, Duration limit)
            throws IOException {
        return start(name, commands, commands.stream().map(c -> java.util.Map.of(Peers.SHM_FD, shared)).toList(),
                limit);
    }

    /**
     * Starts {@code commands} (in order), member {@code i} with the fds {@code fds.get(i)} (child fd number to the
     * end placed there, shared: this process keeps its copy), and waits until each has said {@code ready}.
     *
     * @throws IOException if one fails to start or exits, or not all are ready within {@code limit} (all are killed)
     */
    public static Crew start(String name, List<List<String>> commands,
            List<? extends java.util.Map<Integer, ? extends HasFd>> fds, Duration limit) throws IOException {
        Crew crew = launch(name, commands, fds);
        crew.awaitReady(limit);
        return crew;
    }

    /**
     * Starts {@code commands} as {@link #start(String, List, HasFd, Duration)} does, without waiting for them: several
     * crews launched one after the other start at once (a JVM's start waits on the disk and on class loading as much
     * as on the CPU), then {@link #awaitReady} each before its first block.
     *
     * @throws IOException if one fails to start (all are killed)
     */
    public static Crew launch(String name, List<List<String>> commands, HasFd shared) throws IOException {
        return launch(name, commands, commands.stream().map(c -> java.util.Map.of(Peers.SHM_FD, shared)).toList());
    }

    /** As {@link #launch(String, List, HasFd)}, member {@code i} with the fds {@code fds.get(i)}. */
    public static Crew launch(String name, List<List<String>> commands,
            List<? extends java.util.Map<Integer, ? extends HasFd>> fds) throws IOException {
        if (fds.size() != commands.size()) {
            throw new IllegalArgumentException("fds=" + fds.size() + " != commands=" + commands.size());
        }
        Crew crew = new Crew(name);
        try {
            for (int i = 0; i < commands.size(); i++) {
                crew.add(commands.get(i), fds.get(i));
            }
            return crew;
        } catch (IOException | RuntimeException e) {
            crew.kill();
            throw e;
        }
    }

    /**
     * Waits until every member has said {@code ready} (once; later calls return at once).
     *
     * @throws IOException if one exits or says something else, or not all are ready within {@code limit} (all are
     *         killed)
     */
    public void awaitReady(Duration limit) throws IOException {
        if (ready) {
            return;
        }
        try {
            long deadline = System.nanoTime() + limit.toNanos();
            for (int i = 0; i < size(); i++) {
                String line = readLine(i, deadline);
                if (!line.strip().equals("ready")) {
                    throw new IOException(label(i) + ": expected 'ready', got '" + line + "'");
                }
            }
            ready = true;
        } catch (IOException | RuntimeException e) {
            kill();
            throw e;
        }
    }

    private void add(List<String> command, java.util.Map<Integer, ? extends HasFd> fds) throws IOException {
        Pipe control = Pipe.open();
        Pipe report = Pipe.open();
        try {
            Spawn spawn = Spawn.command(command).fd(0, control.source()).fd(1, report.sink());
            for (var fd : new java.util.TreeMap<>(fds).entrySet()) {
                spawn.shareFd(fd.getKey(), fd.getValue());
            }
            ChildProcess child = spawn.start();
            children.add(child);
        } catch (IOException | RuntimeException e) {
            control.close();
            report.close();
            throw e;
        }
        controls.add(control.sink().outputStream());
        reportEnds.add(report.source());
        reports.add(new BufferedReader(new InputStreamReader(report.source().inputStream(), StandardCharsets.UTF_8)));
    }

    /** How many members. */
    public int size() {
        return children.size();
    }

    /** Member {@code i}'s process id. */
    public int pid(int i) {
        return children.get(i).pid();
    }

    /** Sends {@code run COUNT} to the members {@code members} (in that order). */
    public void run(List<Integer> members, long count) throws IOException {
        for (int i : members) {
            send(i, "run " + count);
        }
    }

    /** Reads one block report from each of {@code members}, in order, all by {@code limit} from now. */
    public List<Report> await(List<Integer> members, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        List<Report> all = new ArrayList<>();
        for (int i : members) {
            all.add(Report.parse(readLine(i, deadline)));
        }
        return all;
    }

    /** One block of every member: {@code run COUNT} to all in order, then their reports, in member order. */
    public List<Report> block(long count, Duration limit) throws IOException {
        List<Integer> all = java.util.stream.IntStream.range(0, size()).boxed().toList();
        run(all, count);
        return await(all, limit);
    }

    private void send(int i, String line) throws IOException {
        OutputStream out = controls.get(i);
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Member {@code i}'s next line, waiting until {@code deadline} (System.nanoTime()). */
    private String readLine(int i, long deadline) throws IOException {
        BufferedReader reader = reports.get(i);
        while (!reader.ready()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException(label(i) + " said nothing in time" + exitNote(i));
            }
            if (reportEnds.get(i).awaitReadable(Duration.ofNanos(Math.min(left, 100_000_000L)))) {
                break;
            }
        }
        String line = reader.readLine();
        if (line == null) {
            throw new IOException(label(i) + " closed its report pipe" + exitNote(i));
        }
        return line;
    }

    private String exitNote(int i) {
        ChildProcess child = children.get(i);
        try {
            Optional<ExitStatus> status = child.waitFor(Duration.ofMillis(200));
            return status.map(s -> " (" + s + ")").orElse(" (still running)");
        } catch (IOException e) {
            return "";
        }
    }

    private String label(int i) {
        return name + " member " + i + " (pid " + children.get(i).pid() + ")";
    }

    /** Sends {@code quit} to every member and waits for each to exit 0 (killing those that do not within 10 s). */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (int i = 0; i < size(); i++) {
            try {
                send(i, "quit");
            } catch (IOException e) {
                // it may have exited already; its exit status says how
            }
        }
        for (int i = 0; i < size(); i++) {
            try {
                controls.get(i).close();
                Optional<ExitStatus> status = children.get(i).waitFor(Duration.ofSeconds(10));
                if (status.isEmpty() || !status.get().success()) {
                    if (failure == null) {
                        failure = new IOException(label(i) + " did not end cleanly: "
                                + status.map(String::valueOf).orElse("still running after quit"));
                    }
                }
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        kill();
        if (failure != null) {
            throw failure;
        }
    }

    /** Kills every member still running and closes every pipe. */
    public void kill() {
        for (ChildProcess child : children) {
            try {
                if (child.exitStatus().isEmpty()) {
                    child.destroyForcibly();
                }
                child.close();
            } catch (IOException e) {
                // nothing more to do for it
            }
        }
        for (OutputStream out : controls) {
            try {
                out.close();
            } catch (IOException e) {
                // closed already
            }
        }
        reportEnds.forEach(ReadEnd::close);
    }
}
