package jipc.sync;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The child process of the sync tests: maps the file named by the first argument and plays one role on the
 * primitives in it. Exit codes: 0 done, 2 bad usage, 3 unexpected lock result, 4 the semaphore admitted too many.
 */
public final class SyncChild {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

    /** Size of the mapped file; every test lays out its primitives inside it. */
    static final long SIZE = 4096;

    private SyncChild() {
    }

    public static void main(String[] args) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(Path.of(args[1]), SIZE, arena);
            int code = switch (args[0]) {
                case "count" -> count(shared, Long.parseLong(args[2]), Long.parseLong(args[3]),
                        Long.parseLong(args[4]), Integer.parseInt(args[5]));
                case "hold" -> hold(shared, Long.parseLong(args[2]), Long.parseLong(args[3]),
                        Long.parseLong(args[4]));
                case "holders" -> holders(shared, Long.parseLong(args[2]), Long.parseLong(args[3]),
                        Long.parseLong(args[4]), Long.parseLong(args[5]), Integer.parseInt(args[6]),
                        Integer.parseInt(args[7]));
                case "wait" -> waitForPermit(shared, Long.parseLong(args[2]));
                default -> 2;
            };
            System.exit(code);
        }
    }

    /**
     * Waits at the start gate (a semaphore), then adds 1 to the long at {@code counterOffset} {@code iterations}
     * times under the mutex, with a separate read and write so that any lapse of exclusion loses increments.
     */
    private static int count(MemorySegment shared, long gateOffset, long mutexOffset, long counterOffset,
                             int iterations) throws InterruptedException {
        Semaphore gate = Semaphore.attach(shared, gateOffset);
        Mutex mutex = Mutex.attach(shared, mutexOffset);
        gate.acquire();
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            if (mutex.lock() != LockResult.ACQUIRED) {
                return 3;
            }
            long value = shared.get(ValueLayout.JAVA_LONG, counterOffset);
            shared.set(ValueLayout.JAVA_LONG, counterOffset, value + 1);
            mutex.unlock();
        }
        System.out.printf("count: pid %d did %d increments in %d ms%n", ProcessHandle.current().pid(), iterations,
                (System.nanoTime() - start) / 1_000_000);
        return 0;
    }

    /**
     * Locks the mutex, sets the int at {@code flagOffset} to 1, holds the mutex for {@code holdMillis}
     * (forever if negative: the test kills it), then unlocks.
     */
    private static int hold(MemorySegment shared, long mutexOffset, long flagOffset, long holdMillis)
            throws InterruptedException {
        Mutex mutex = Mutex.attach(shared, mutexOffset);
        if (mutex.lock() != LockResult.ACQUIRED) {
            return 3;
        }
        INT.setVolatile(shared, flagOffset, 1);
        Thread.sleep(holdMillis < 0 ? Long.MAX_VALUE : holdMillis);
        mutex.unlock();
        return 0;
    }

    /**
     * Waits at the start gate, then {@code rounds} times: takes a permit, counts itself into the int at {@code inUseOffset}, checks that no more
     * than {@code permits} are in, raises the int at {@code maxSeenOffset} to what it saw, lingers, leaves.
     */
    private static int holders(MemorySegment shared, long gateOffset, long semOffset, long inUseOffset,
                               long maxSeenOffset, int permits, int rounds) throws InterruptedException {
        Semaphore gate = Semaphore.attach(shared, gateOffset);
        Semaphore semaphore = Semaphore.attach(shared, semOffset);
        gate.acquire();
        for (int i = 0; i < rounds; i++) {
            semaphore.acquire();
            int inUse = (int) INT.getAndAdd(shared, inUseOffset, 1) + 1;
            if (inUse > permits) {
                System.err.println("holders: " + inUse + " holders inside a semaphore of " + permits + " permits");
                return 4;
            }
            for (int seen = (int) INT.getVolatile(shared, maxSeenOffset); inUse > seen;
                 seen = (int) INT.getVolatile(shared, maxSeenOffset)) {
                if ((boolean) INT.compareAndSet(shared, maxSeenOffset, seen, inUse)) {
                    break;
                }
            }
            // Stay inside a little so that holders overlap; yield so that others get the CPU on few cores.
            long until = System.nanoTime() + 200_000;
            while (System.nanoTime() < until) {
                Thread.yield();
            }
            int left = (int) INT.getAndAdd(shared, inUseOffset, -1);
            semaphore.release();
        }
        return 0;
    }

    /** Takes one permit of the semaphore, however long that takes. */
    private static int waitForPermit(MemorySegment shared, long semOffset) throws InterruptedException {
        Semaphore.attach(shared, semOffset).acquire();
        return 0;
    }
}
