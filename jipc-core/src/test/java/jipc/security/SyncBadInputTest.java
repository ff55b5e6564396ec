package jipc.security;

import static jipc.security.BadInput.errno;
import static jipc.security.BadInput.illegal;
import static jipc.security.BadInput.illegalState;
import static jipc.security.BadInput.nullArgument;
import static jipc.security.BadInput.of;
import static jipc.security.BadInput.outOfRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jipc.security.BadInput.Case;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.sync.NamedSemaphore;
import jipc.sync.Semaphore;
import jipc.sync.SemaphoreDescriptor;
import jipc.sync.SharedSemaphore;
import jipc.sync.SysVSemaphoreSet;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad arguments to {@code jipc.sync}: each row gets a clear exception (see {@link BadInput}), and afterwards the
 * fixture's semaphore, binary semaphore, mutex, named semaphore, System V set and shared semaphore all still work.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncBadInputTest {
    private static final String PREFIX = "/jipc-badsync-" + ProcessHandle.current().pid() + "-";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static final class Fixture implements AutoCloseable {
        final Arena arena = Arena.ofShared();
        final MemorySegment memory = arena.allocate(512, 64);
        final Semaphore semaphore = Semaphore.create(memory, 0, 1);
        final Semaphore binary = Semaphore.createBinary(memory, 128, true);
        final Mutex mutex = Mutex.create(memory, 256);
        final String name = PREFIX + COUNTER.incrementAndGet();
        final NamedSemaphore named;
        final SysVSemaphoreSet set;
        final SharedSemaphore shared;

        Fixture() throws IOException {
            named = NamedSemaphore.create(name, 1);
            set = SysVSemaphoreSet.createPrivate(2);
            shared = SharedSemaphore.create(name, 1);
        }

        String unused() {
            return name + "-unused";
        }

        void stillWorks() throws Exception {
            assertTrue(semaphore.tryAcquire(Duration.ofSeconds(1)));
            semaphore.release();
            assertTrue(binary.tryAcquire());
            binary.release();
            assertEquals(LockResult.ACQUIRED, mutex.tryLock(Duration.ofSeconds(1)));
            mutex.unlock();
            assertTrue(named.tryAcquire());
            named.post();
            set.release(1);
            assertTrue(set.tryAcquire(1));
            assertTrue(shared.semaphore().tryAcquire());
            shared.semaphore().release();
        }

        @Override
        public void close() throws IOException {
            try (arena; named; set; shared) {
                set.remove();
            } finally {
                NamedSemaphore.unlinkIfExists(name);
                NamedSemaphore.unlinkIfExists(unused());
                SharedSemaphore.unlinkIfExists(name);
                SharedSemaphore.unlinkIfExists(unused());
            }
        }
    }

    static Stream<Case<Fixture>> cases() {
        return Stream.of(
                // Semaphore (in a caller's segment)
                nullArgument("Semaphore.create(null)", "segment", f -> Semaphore.create(null, 0, 1)),
                illegal("Semaphore.create(permits=-1)", "permits=-1", f -> Semaphore.create(f.memory, 384, -1)),
                outOfRange("Semaphore.create(offset=-16)", "offset=-16", f -> Semaphore.create(f.memory, -16, 1)),
                outOfRange("Semaphore.create(past the end)", "offset=448", f -> Semaphore.create(f.memory, 448, 1)),
                outOfRange("Semaphore.create(offset=Long.MAX_VALUE)", "offset=" + Long.MAX_VALUE,
                        f -> Semaphore.create(f.memory, Long.MAX_VALUE, 1)),
                illegal("Semaphore.create(misaligned)", "aligned", f -> Semaphore.create(f.memory, 300, 1)),
                illegal("Semaphore.create(heap segment)", "native",
                        f -> Semaphore.create(MemorySegment.ofArray(new byte[64]), 0, 1)),
                illegal("Semaphore.create(read-only segment)", "writable",
                        f -> Semaphore.create(f.memory.asReadOnly(), 384, 1)),
                illegal("Semaphore.attach(no semaphore there)", "magic", f -> Semaphore.attach(f.memory, 384)),
                illegal("Semaphore.release(0)", "permits=0", f -> f.semaphore.release(0)),
                illegal("Semaphore.release(-1)", "permits=-1", f -> f.semaphore.release(-1)),
                illegalState("Semaphore.release(Integer.MAX_VALUE) overflows", "max=",
                        f -> f.semaphore.release(Integer.MAX_VALUE)),
                illegalState("binary Semaphore.release() when available", "max=1", f -> f.binary.release()),
                nullArgument("Semaphore.tryAcquire(null)", "timeout", f -> f.semaphore.tryAcquire(null)),
                illegalState("Semaphore in freed memory", "closed", f -> {
                    Arena other = Arena.ofShared();
                    Semaphore s = Semaphore.create(other.allocate(SemaphoreDescriptor.LENGTH, 8), 0, 1);
                    other.close();
                    s.release();
                }),

                // Mutex
                nullArgument("Mutex.create(null)", "segment", f -> Mutex.create(null, 0)),
                illegal("Mutex.create(misaligned)", "aligned", f -> Mutex.create(f.memory, 388)),
                outOfRange("Mutex.create(past the end)", "offset=496", f -> Mutex.create(f.memory, 496)),
                illegal("Mutex.attach(no mutex there)", "magic", f -> Mutex.attach(f.memory, 384)),
                of("Mutex.unlock() not held", IllegalMonitorStateException.class, "unlock", f -> f.mutex.unlock()),
                of("Mutex.markConsistent() not held", IllegalMonitorStateException.class, "markConsistent",
                        f -> f.mutex.markConsistent()),
                nullArgument("Mutex.tryLock(null)", "timeout", f -> f.mutex.tryLock(null)),

                // NamedSemaphore
                illegal("NamedSemaphore.create(initial=-1)", "initial=-1", f -> NamedSemaphore.create(f.unused(), -1)),
                errno("NamedSemaphore.post() at SEM_VALUE_MAX", "EOVERFLOW", f -> {
                    try (NamedSemaphore full = NamedSemaphore.create(f.unused(), NamedSemaphore.MAX_VALUE)) {
                        full.post();
                    }
                }),
                illegal("NamedSemaphore.create(mode=01000)", "bits outside 0777",
                        f -> NamedSemaphore.create(f.unused(), 0, 01000)),
                errno("NamedSemaphore.create(existing)", "EEXIST", f -> NamedSemaphore.create(f.name, 0)),
                errno("NamedSemaphore.open(missing)", "ENOENT", f -> NamedSemaphore.open(f.unused())),
                nullArgument("NamedSemaphore.tryAcquire(null)", "timeout", f -> f.named.tryAcquire(null)),
                of("closed NamedSemaphore.post()", ClosedChannelException.class, null, f -> {
                    NamedSemaphore other = NamedSemaphore.open(f.name);
                    other.close();
                    other.post();
                }),
                of("closed NamedSemaphore.tryAcquire(timeout)", ClosedChannelException.class, null, f -> {
                    NamedSemaphore other = NamedSemaphore.open(f.name);
                    other.close();
                    other.tryAcquire(Duration.ofMillis(10));
                }),

                // SysVSemaphoreSet
                illegal("SysVSemaphoreSet.createPrivate(0)", "nsems=0", f -> SysVSemaphoreSet.createPrivate(0)),
                illegal("SysVSemaphoreSet.createPrivate(-1)", "nsems=-1", f -> SysVSemaphoreSet.createPrivate(-1)),
                errno("SysVSemaphoreSet.createPrivate(huge)", "EINVAL",
                        f -> SysVSemaphoreSet.createPrivate(Integer.MAX_VALUE)),
                illegal("SysVSemaphoreSet.create(key=0)", "IPC_PRIVATE", f -> SysVSemaphoreSet.create(0, 1)),
                illegal("SysVSemaphoreSet.createPrivate(mode=-1)", "bits outside 0777",
                        f -> SysVSemaphoreSet.createPrivate(1, -1)),
                errno("SysVSemaphoreSet.ofId(-1)", "EINVAL", f -> SysVSemaphoreSet.ofId(-1)),
                errno("SysVSemaphoreSet.remove(-1)", "EINVAL", f -> SysVSemaphoreSet.remove(-1)),
                outOfRange("SysVSemaphoreSet.release(index=2)", "index=2", f -> f.set.release(2)),
                outOfRange("SysVSemaphoreSet.release(index=-1)", "index=-1", f -> f.set.release(-1)),
                outOfRange("SysVSemaphoreSet.tryAcquire(index=2)", "index=2", f -> f.set.tryAcquire(2)),
                outOfRange("SysVSemaphoreSet.acquire(index=5)", "index=5", f -> f.set.acquire(5)),
                outOfRange("SysVSemaphoreSet.value(index=2)", "index=2", f -> f.set.value(2)),
                outOfRange("SysVSemaphoreSet.setValue(index=-1)", "index=-1", f -> f.set.setValue(-1, 0)),
                illegal("SysVSemaphoreSet.release(n=0)", "n=0", f -> f.set.release(0, 0)),
                illegal("SysVSemaphoreSet.release(n=40000)", "n=40000", f -> f.set.release(0, 40000)),
                illegal("SysVSemaphoreSet.setValue(value=-1)", "value=-1", f -> f.set.setValue(0, -1)),
                nullArgument("SysVSemaphoreSet.tryAcquire(0, null)", "timeout", f -> f.set.tryAcquire(0, null)),
                of("closed SysVSemaphoreSet.release()", ClosedChannelException.class, null, f -> {
                    SysVSemaphoreSet other = SysVSemaphoreSet.ofId(f.set.id());
                    other.close();
                    other.release(0);
                }),

                // SharedSemaphore
                illegal("SharedSemaphore.create(permits=-1)", "permits=-1",
                        f -> SharedSemaphore.create(f.unused(), -1)),
                errno("SharedSemaphore.create(existing)", "EEXIST", f -> SharedSemaphore.create(f.name, 0)),
                errno("SharedSemaphore.open(missing)", "ENOENT", f -> SharedSemaphore.open(f.unused())),
                illegalState("closed SharedSemaphore's semaphore", "closed", f -> {
                    SharedSemaphore other = SharedSemaphore.open(f.name);
                    other.close();
                    other.semaphore().release();
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRefusedClearlyAndTheObjectsStayUsable(Case<Fixture> row) throws Throwable {
        try (Fixture f = new Fixture()) {
            BadInput.check(row, f);
            f.stillWorks();
        }
    }
}
