package jipc.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import jipc.channel.ChannelDescriptor;
import jipc.channel.OneToOneChannel;
import jipc.internal.LibC;
import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.sync.Semaphore;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process costs under the channel benchmarks, single thread, nanoseconds per operation, with baselines in the
 * same run:
 *
 * <ul>
 *   <li>{@code downcallGetpid}: one FFM downcall through {@code jipc.internal} ({@link LibC#getpid()}: a real
 *       system call, glibc does not cache the pid), beside {@code javaMethodCall} (a plain Java method that the JIT
 *       may not inline): the difference is the downcall plus the kernel entry; the C reference is a loop of
 *       {@code getpid()} in C (docs/benchmarks.md);</li>
 *   <li>{@code channelOfferPoll64}: one 64 B message through a {@link OneToOneChannel} on a {@link Memfd} mapping,
 *       copied in with {@code offer} and taken with the zero-copy {@code poll} (the handler reads its first long);
 *       {@code channelClaimCommitPoll64}: the same written in place with {@code tryClaim}/{@code commit};</li>
 *   <li>{@code semaphoreAcquireRelease}: the blocking {@link Semaphore#acquire()} (uncontended: no wait) and
 *       {@code release()} on the same mapping ({@link SyncBenchmarks} has {@code tryAcquire}).</li>
 * </ul>
 * Run: {@code java -jar jipc-bench/target/jipc-bench.jar jmh ChannelBenchmarks -f 1 -wi 3 -i 5 -w 1s -r 1s}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class ChannelBenchmarks {
    private static final long CAPACITY = 1L << 16;
    private static final int SIZE = 64;

    private Memfd memfd;
    private Mapping mapping;
    private OneToOneChannel channel;
    private Semaphore semaphore;
    private Arena arena;
    private MemorySegment payload;
    private int value = 42;
    private final FirstLongSink sink = new FirstLongSink();


    @Setup
    public void map() throws IOException {
        long channelSize = ChannelDescriptor.segmentSize(CAPACITY);
        memfd = Memfd.create("jipc-bench-channel-jmh", channelSize + 4096);
        mapping = memfd.map();
        channel = OneToOneChannel.create(mapping.segment().asSlice(0, channelSize), CAPACITY, 1024);
        semaphore = Semaphore.create(mapping.segment(), channelSize, 1);
        arena = Arena.ofConfined();
        payload = arena.allocate(SIZE, 8);
    }

    @TearDown
    public void unmap() {
        arena.close();
        mapping.close();
        memfd.close();
    }

    @Benchmark
    public int downcallGetpid() {
        return LibC.getpid();
    }

    @Benchmark
    public int javaMethodCall() {
        return notInlined();
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private int notInlined() {
        return value;
    }

    @Benchmark
    public long channelOfferPoll64() {
        payload.set(ValueLayout.JAVA_LONG, 0, sink.sum);
        if (!channel.offer(1, payload) || channel.poll(sink) != 1) {
            throw new IllegalStateException("offer/poll on an empty channel failed: " + channel);
        }
        return sink.sum;
    }

    @Benchmark
    public long channelClaimCommitPoll64() {
        MemorySegment claimed = channel.tryClaim(1, SIZE);
        if (claimed == null) {
            throw new IllegalStateException("tryClaim on an empty channel failed: " + channel);
        }
        claimed.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, sink.sum);
        channel.commit();
        if (channel.poll(sink) != 1) {
            throw new IllegalStateException("poll after commit found nothing: " + channel);
        }
        return sink.sum;
    }

    @Benchmark
    public void semaphoreAcquireRelease() throws InterruptedException {
        semaphore.acquire();
        semaphore.release();
    }
}
