package jipc.bench.os;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jipc.bench.Crew;
import jipc.bench.Peers;
import jipc.bench.Pin;
import jipc.bench.channel.ChannelPaired;
import jipc.bench.channel.ChannelPaired.Side;
import jipc.bench.report.Figures;
import jipc.bench.suite.Paired;
import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;
import jipc.fifo.Fifo;
import jipc.io.HasFd;
import jipc.pipe.Pipe;

/**
 * The pipe and FIFO throughput goals of issue 16 (jipc / C at 64 KiB, at least 0.95) as {@link Paired paired}
 * ratios: jipc's and C's pipe pairs and FIFO pairs ({@link StreamPeer}, {@code os_stream.c} with the item
 * {@code crew:SIZE}) kept alive as {@link Crew}s and turned through block by block. Each pair gets its own two pipes
 * (made here, {@value StreamBenchmark#PIPE_CAPACITY} bytes each way, at fds 3 and 4) or its own two FIFOs. The step
 * gives paired ratios; in the full run the absolute rows stay the single-pair steps', in the quick run they are this
 * step's (the single-pair steps leave 64 KiB to it there).
 */
final class StreamPaired {
    static final int SIZE = 65536;

    private StreamPaired() {
    }

    /** Messages per block: 1 024 (64 MiB, quick) or 8 192 (full); 16 for a smoke test. */
    static long block(Plan plan) {
        return ChannelPaired.tiny(plan) ? 16 : plan.quick() ? 1024 : 8192;
    }

    /** The step, if the plan measures throughput at 64 KiB. */
    static List<Step> steps(Plan plan, StreamBenchmark.CBuild build) {
        if (!plan.throughputSizes().contains(SIZE)) {
            return List.of();
        }
        // typically 4 warm-up blocks per Java pair (ChannelPaired.warm), 1 per C pair
        double seconds = 2 * 0.8 + (ChannelPaired.blocks(plan) + 4) * 4 * block(plan) * (3e-6 + SIZE * 0.5e-9);
        return List.of(new Step("pipe throughput 64 KiB: jipc and C pipe, jipc and C FIFO (paired)",
                Duration.ofMillis((long) (seconds * 1000)), (Step.PairedBody) (p, log) -> measure(p, log, build)));
    }

    private static Step.Outcome measure(Plan plan, PrintStream log, StreamBenchmark.CBuild build)
            throws IOException, InterruptedException {
        Pin requested = plan.pin() == null ? null : new Pin(plan.pin()[0], plan.pin()[1]);
        Pin pin = Peers.pinning(requested, log);
        List<String> java = Peers.javaCommand(StreamPeer.class, plan.jvmOptions());
        List<String> c = List.of(build.program(log).executable().toString());
        long block = block(plan);
        List<Side> sides = new ArrayList<>();
        Path work = Files.createTempDirectory("jipc-bench-os-paired-");
        try {
            for (boolean isJava : List.of(true, false)) {
                List<String> program = isJava ? java : c;
                Pipe ab = Pipe.open();
                Pipe ba = Pipe.open();
                AutoCloseable pipes = () -> {
                    ab.close();
                    ba.close();
                };
                try {
                    ab.setCapacity(StreamBenchmark.PIPE_CAPACITY);
                    ba.setCapacity(StreamBenchmark.PIPE_CAPACITY);
                    List<Map<Integer, HasFd>> fds = List.of(Map.of(3, ab.source(), 4, ba.sink()),
                            Map.of(3, ba.source(), 4, ab.sink()));
                    sides.add(start(isJava ? "jipc" : "C", "pipe", isJava, block, List.of(
                            command(pin, false, program, "fds", "-", "b", work),
                            command(pin, true, program, "fds", "-", "a", work)), fds, pipes));
                } catch (IOException | RuntimeException e) {
                    ab.close();
                    ba.close();
                    throw e;
                }
            }
            for (boolean isJava : List.of(true, false)) {
                Path dir = Files.createDirectory(work.resolve(isJava ? "jipc-fifo" : "c-fifo"));
                Fifo.create(dir.resolve("ab"));
                Fifo.create(dir.resolve("ba"));
                List<String> program = isJava ? java : c;
                List<String> pipesize = List.of("pipesize:" + StreamBenchmark.PIPE_CAPACITY);
                sides.add(start(isJava ? "jipc" : "C", "fifo", isJava, block, List.of(
                        command(pin, false, program, "fifo", dir.toString(), "b", work, pipesize),
                        command(pin, true, program, "fifo", dir.toString(), "a", work, pipesize)),
                        List.of(Map.of(), Map.of()), () -> { }));
            }
            // sides: 0 jipc pipe, 1 C pipe, 2 jipc fifo, 3 C fifo
            ChannelPaired.warm(sides, plan);
            List<Paired.Side> turn = new ArrayList<>();
            for (Side side : sides) {
                turn.add(() -> side.block(true));
            }
            Paired.Rotation rotation = Paired.rotate(turn, ChannelPaired.blocks(plan));
            String pinning = pin == null ? "none" : "cpu " + pin.cpuA() + "," + pin.cpuB();
            List<Result> rows = new ArrayList<>();
            for (Side side : sides) {
                // member 0 is side b (it reads), member 1 side a (it writes); CPU: the whole process per block
                double nan = Double.NaN;
                String rowNote = plan.quick() ? "paired step: " + ChannelPaired.blocks(plan) + " blocks of " + block
                        + " messages of 64 KiB, turned through with the other pairs; msg/s over the blocks (writer's"
                        + " start to reader's end), CPU per message of each whole process over them; read(2)/write(2)"
                        + " of whole messages; warm-up: " + side.warmNote() : "";
                rows.add(new Result(side.mechanism(), side.implementation(), Result.Kind.THROUGHPUT, SIZE,
                        side.measuredMessages(), nan, nan, nan, nan, nan, nan, List.of(), side.messagesPerSecond(),
                        side.messagesPerSecond() * SIZE, side.cpuPerMessage(1), side.cpuPerMessage(0), nan,
                        pinning, rowNote));
            }
            String floor = String.format(Locale.ROOT, "C pipe 64 KiB: %.2f GB/s; C fifo 64 KiB: %.2f GB/s",
                    rows.get(1).bytesPerSecond() / 1e9, rows.get(3).bytesPerSecond() / 1e9);
            String note = "each block's messages per second (writer's start to reader's end); four pairs alive,"
                    + " turned through in the order jipc pipe, C pipe, jipc fifo, C fifo (the others blocked on their"
                    + " control pipes); blocks of " + block + " messages of 64 KiB, read(2)/write(2) of whole"
                    + " messages; warm-up: " + ChannelPaired.warmNotes(sides);
            // The full run's absolute rows are the single-pair steps'; the quick run's are these (StreamBenchmark
            // leaves 64 KiB to this step there).
            return new Step.Outcome(plan.quick() ? rows : List.of(), List.of(
                    PairedRatio.of(rows.get(0), rows.get(1), "msg/s", rotation.ratio(0, 1), floor, note),
                    PairedRatio.of(rows.get(2), rows.get(3), "msg/s", rotation.ratio(2, 3), floor, note)));
        } finally {
            try {
                ChannelPaired.closeAll(sides);
            } finally {
                Peers.deleteTree(work);
            }
        }
    }

    private static Side start(String implementation, String mechanism, boolean java, long block,
            List<List<String>> members, List<Map<Integer, HasFd>> fds, AutoCloseable resources) throws IOException {
        Crew crew = Crew.launch(implementation + " " + mechanism, members, fds);
        return new Side(implementation, mechanism, java, false, block, block, crew, resources, null);
    }

    private static List<String> command(Pin pin, boolean sideA, List<String> program, String transport,
            String endpoint, String side, Path work) {
        return command(pin, sideA, program, transport, endpoint, side, work, List.of());
    }

    private static List<String> command(Pin pin, boolean sideA, List<String> program, String transport,
            String endpoint, String side, Path work, List<String> items) {
        List<String> command = new ArrayList<>(program);
        command.addAll(List.of(transport, endpoint, side, work.toString()));
        command.addAll(items);
        command.add("crew:" + SIZE);
        return Peers.pinned(pin, sideA, command);
    }
}
