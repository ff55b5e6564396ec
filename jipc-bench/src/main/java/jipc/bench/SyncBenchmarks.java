package jipc.bench;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.sync.Semaphore;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
 * Uncontended, single-thread costs of jipc's shared-memory synchronisation, with in-process baselines measured in
 * the same run: one take-and-give-back of each primitive, in nanoseconds per operation pair.
 *
 * <ul>
 *   <li>{@code jipcSemaphoreTryAcquireRelease}, {@code jipcMutexLockUnlock}: jipc's {@link Semaphore} and
 *       {@link Mutex} on a page of a {@link Memfd} mapping (real shared memory, {@code MAP_SHARED}).</li>
 *   <li>{@code segmentCasPair}: two compare-and-sets through a {@link VarHandle} on the same mapping: the floor
 *       under both jipc primitives (each is one atomic read-modify-write to take and one to give back).</li>
 *   <li>{@code atomicIntegerCasPair}, {@code jucSemaphoreTryAcquireRelease}: the same on the Java heap with
 *       {@link AtomicInteger} and {@link java.util.concurrent.Semaphore} (which cannot cross processes).</li>
 * </ul>
 * Run: {@code java -jar jipc-bench/target/jipc-bench.jar jmh SyncBenchmarks} (JMH options follow, e.g.
 * {@code -f 1 -wi 3 -i 5 -w 1s -r 1s}). The forked JVM gets {@code --enable-native-access=ALL-UNNAMED} (the jar's
 * manifest grant does not reach it: JMH starts it with {@code -cp}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// JMH 1.37's harness itself calls sun.misc.Unsafe (not jipc): allow it in the fork so the output stays readable.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class SyncBenchmarks {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

    /** Where the semaphore, the mutex and the CAS word sit in the page: one cache-line pair each. */
    private static final long SEMAPHORE_OFFSET = 0;
    private static final long MUTEX_OFFSET = 128;
    private static final long WORD_OFFSET = 256;

    private Memfd memfd;
    private Mapping mapping;
    private MemorySegment segment;
    private Semaphore semaphore;
    private Mutex mutex;
    private final AtomicInteger atomic = new AtomicInteger(1);
    private final java.util.concurrent.Semaphore jucSemaphore = new java.util.concurrent.Semaphore(1);

    @Setup
    public void map() throws IOException {
        memfd = Memfd.create("jipc-bench-sync", 4096);
        mapping = memfd.map();
        segment = mapping.segment();
        semaphore = Semaphore.create(segment, SEMAPHORE_OFFSET, 1);
        mutex = Mutex.create(segment, MUTEX_OFFSET);
        INT.setVolatile(segment, WORD_OFFSET, 1);
    }

    @TearDown
    public void unmap() {
        mapping.close();
        memfd.close();
    }

    @Benchmark
    public void jipcSemaphoreTryAcquireRelease() {
        if (!semaphore.tryAcquire()) {
            throw new IllegalStateException("uncontended tryAcquire failed: " + semaphore);
        }
        semaphore.release();
    }

    @Benchmark
    public LockResult jipcMutexLockUnlock() throws InterruptedException {
        LockResult result = mutex.lock();
        mutex.unlock();
        return result;
    }

    @Benchmark
    public boolean segmentCasPair() {
        return (boolean) INT.compareAndSet(segment, WORD_OFFSET, 1, 0)
                & (boolean) INT.compareAndSet(segment, WORD_OFFSET, 0, 1);
    }

    @Benchmark
    public boolean atomicIntegerCasPair() {
        return atomic.compareAndSet(1, 0) & atomic.compareAndSet(0, 1);
    }

    @Benchmark
    public void jucSemaphoreTryAcquireRelease() {
        if (!jucSemaphore.tryAcquire()) {
            throw new IllegalStateException("uncontended tryAcquire failed: " + jucSemaphore);
        }
        jucSemaphore.release();
    }
}
