package jipc.bench.topic;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import jipc.bench.CProgram;
import jipc.bench.Peers;
import jipc.bench.Pin;
import jipc.bench.channel.ChannelPairs;
import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.topic.OverflowPolicy;
import jipc.topic.Topic;
import jipc.topic.TopicDescriptor;

import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;

/**
 * What every topic step shares: the C side ({@code topic_bench.c} with the C twin {@code jipc_topic.c}) compiled once
 * per JVM, the Java peers' command lines, the pinning, and the shared memory of a crew: a memfd holding the topics
 * (jipc and the C twin: written here with {@link Topic#create}) or Agrona broadcast buffers (the zeroed memfd is an
 * empty one), one after the other at page-aligned offsets.
 */
final class TopicRig {
    private static final String C_PROGRAM = "topic_bench";
    private static final String[] C_TWIN = {"jipc_topic.c", "jipc_topic.h", "jipc_live.c", "jipc_live.h"};
    private static final Object LOCK = new Object();
    private static TopicRig shared;

    /** Who wrote the code of a crew's members. */
    enum Impl {
        /** {@link TopicPeer}: jipc.topic in JVMs. */
        JIPC("jipc"),
        /** {@code topic_bench.c} with the C twin. */
        C("C"),
        /** {@link BroadcastPeer}: Agrona's broadcast buffer in JVMs. */
        AGRONA("Agrona");

        final String label;

        Impl(String label) {
            this.label = label;
        }
    }

    final Path work;
    final CProgram c;
    final Pin pin;
    final Pin asked;
    final List<String> jvmOptions;
    final List<String> jipc;
    final List<String> agrona;

    private TopicRig(Path work, CProgram c, Pin pin, Pin asked, List<String> jvmOptions) {
        this.work = work;
        this.c = c;
        this.pin = pin;
        this.asked = asked;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.jipc = Peers.javaCommand(TopicPeer.class, jvmOptions);
        List<String> agronaOptions = new ArrayList<>(ChannelPairs.AGRONA_JVM_OPTIONS);
        agronaOptions.addAll(jvmOptions);
        this.agrona = Peers.javaCommand(BroadcastPeer.class, agronaOptions);
    }

    /** The rig for {@code pin} and {@code jvmOptions}: compiled on first use; its files go when the JVM exits. */
    static TopicRig shared(Pin pin, List<String> jvmOptions, PrintStream log) throws IOException,
            InterruptedException {
        synchronized (LOCK) {
            if (shared == null || !Objects.equals(shared.asked, pin) || !shared.jvmOptions.equals(jvmOptions)) {
                Path work = Files.createTempDirectory("jipc-bench-topic-");
                CProgram c = CProgram.compile(C_PROGRAM, work, C_TWIN);
                TopicRig rig = new TopicRig(work, c, Peers.pinning(pin, log), pin, jvmOptions);
                log.println("  C peers: " + c.compiler() + ": " + String.join(" ", c.compileCommand()));
                log.println("  jipc peers: " + String.join(" ", rig.jipc) + " ...");
                log.println("  Agrona peers: " + String.join(" ", rig.agrona) + " ...");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Peers.deleteTree(work);
                    } catch (IOException | UncheckedIOException e) {
                        // the temporary directory stays behind
                    }
                }));
                shared = rig;
            }
            return shared;
        }
    }

    /** The ring of messages of {@code size}: at least 1 MiB, and 8 records of {@code size} fit. */
    static long capacity(int size) {
        long needed = 8L * (size + 16);
        return Math.max(1L << 20, Long.highestOneBit(needed - 1) << 1);
    }

    /** The bytes of one topic or broadcast buffer of {@code capacity}, page-aligned. */
    static long stride(Impl impl, long capacity) {
        long bytes = impl == Impl.AGRONA ? capacity + BroadcastBufferDescriptor.TRAILER_LENGTH
                : TopicDescriptor.segmentSize(capacity);
        return (bytes + 4095) & ~4095L;
    }

    /** A memfd with {@code topics} topics (or broadcast buffers) of {@code capacity}, at offsets i * stride. */
    static Memfd memory(Impl impl, OverflowPolicy policy, long capacity, int topics) throws IOException {
        long stride = stride(impl, capacity);
        Memfd memfd = Memfd.create("jipc-bench-topic", stride * topics);
        if (impl != Impl.AGRONA) {
            try (Mapping mapping = memfd.map()) {
                for (int i = 0; i < topics; i++) {
                    Topic.create(mapping.segment().asSlice(i * stride, TopicDescriptor.segmentSize(capacity)),
                            capacity, TopicDescriptor.maxMessageLengthLimit(capacity), policy);
                }
            } catch (IOException | RuntimeException e) {
                memfd.close();
                throw e;
            }
        }
        return memfd;
    }

    /**
     * The command of a member: {@code ROLE WAIT SIZE CAPACITY IN OUT [SAMPLES]} after the program, pinned to side a
     * ({@code sideA}) or side b.
     */
    List<String> command(Impl impl, boolean sideA, String role, String wait, int size, long capacity, long in,
            long out, Path samples) {
        List<String> command = new ArrayList<>(switch (impl) {
            case JIPC -> jipc;
            case C -> List.of(c.executable().toString());
            case AGRONA -> agrona;
        });
        command.addAll(List.of(role, wait, String.valueOf(size), String.valueOf(capacity), String.valueOf(in),
                String.valueOf(out)));
        if (samples != null) {
            command.add(samples.toString());
        }
        return Peers.pinned(pin, sideA, command);
    }

    /** How the processes are placed, as {@link jipc.bench.suite.Result#pinning()} records it. */
    String pinning() {
        return pin == null ? "none" : "cpu " + pin.cpuA() + "," + pin.cpuB();
    }
}
