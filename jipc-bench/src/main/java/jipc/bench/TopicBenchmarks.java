package jipc.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.topic.OverflowPolicy;
import jipc.topic.Topic;
import jipc.topic.TopicDescriptor;
import jipc.topic.TopicPublisher;
import jipc.topic.TopicSubscriber;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The topic's own code, in one thread and one process, no waiting and no other CPU: {@code publishThenPoll} publishes
 * {@value #BATCH} messages of {@code size} bytes ({@code offer}, which copies them in) and then one subscriber polls
 * them all (BLOCK: in place; OVERWRITE: copied out and checked), the handler reading each message's first long. The
 * figure is nanoseconds per message, publisher and subscriber together. The C twin's equal is
 * {@code jipc-bench/src/main/c/topic_inprocess.c} (its usage line says how to build and run it), so the two twins'
 * per-message code can be compared apart from scheduling, wake-ups and cache-line traffic between cores.
 *
 * <p>Run: {@code java -jar jipc-bench/target/jipc-bench.jar jmh TopicBenchmarks}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class TopicBenchmarks {
    /** Messages per invocation: fewer than a 1 MiB ring holds at 4 KiB, so BLOCK never waits. */
    static final int BATCH = 128;
    private static final long CAPACITY = 1L << 20;

    @Param({"64", "4096"})
    public int size;

    @Param({"BLOCK", "OVERWRITE"})
    public String policy;

    private Memfd memfd;
    private Mapping mapping;
    private Arena arena;
    private MemorySegment payload;
    private TopicPublisher publisher;
    private TopicSubscriber subscriber;
    private long next;
    private final FirstLongSink sink = new FirstLongSink();


    @Setup
    public void create() throws IOException {
        long bytes = TopicDescriptor.segmentSize(CAPACITY);
        memfd = Memfd.create("jipc-bench-topic-jmh", bytes);
        mapping = memfd.map();
        Topic topic = Topic.create(mapping.segment().asSlice(0, bytes), CAPACITY, 65536,
                OverflowPolicy.valueOf(policy));
        publisher = topic.publisher();
        subscriber = topic.subscribe();
        arena = Arena.ofConfined();
        payload = arena.allocate(size, 64);
        payload.fill((byte) 1);
    }

    @TearDown
    public void close() throws IOException {
        subscriber.close();
        publisher.close();
        arena.close();
        mapping.close();
        memfd.close();
    }

    /**
     * {@value #BATCH} messages published, then polled.
     *
     * @return what the handler summed, so the JIT keeps the reads
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long publishThenPoll() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            payload.set(ValueLayout.JAVA_LONG, 0, next++);
            if (!publisher.offer(1, payload)) {
                throw new IllegalStateException("no room for message " + i + " of a batch");
            }
        }
        int got = 0;
        while (got < BATCH) {
            got += subscriber.poll(sink, BATCH, Duration.ZERO);
        }
        return sink.sum;
    }
}
