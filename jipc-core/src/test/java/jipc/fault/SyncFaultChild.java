package jipc.fault;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.sync.Semaphore;
import jipc.sync.SharedSemaphore;

/**
 * A semaphore or mutex user in a child JVM that stops at a chosen point to be killed, for the sync rows of the fault
 * matrix. The semaphore is either a {@link SharedSemaphore} of its own name ({@code named}) or a {@link Semaphore} at
 * {@link SyncFaultTest#SEMAPHORE} of a shared memory object ({@code segment}); the mutex is at offset 0 of a shared
 * memory object, and the data it guards are two longs that must be equal at {@link SyncFaultTest#DATA}. Modes:
 * <ul>
 * <li>{@code sem-hold KIND NAME}: takes a permit, prints {@code ready}, parks.</li>
 * <li>{@code sem-wait KIND NAME}: waits for a permit (the test kills it while it sleeps); prints {@code acquired}.</li>
 * <li>{@code mutex-hold NAME}: locks, writes the first of the two data words only (a half-done update), prints
 *     {@code ready}, parks.</li>
 * <li>{@code mutex-wait NAME}: locks (the test holds it and kills this waiter while it sleeps); prints the result.</li>
 * </ul>
 */
public final class SyncFaultChild {
    private SyncFaultChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        switch (mode) {
            case "sem-hold", "sem-wait" -> {
                boolean named = args[1].equals("named");
                try (SharedSemaphore sharedSemaphore = named ? SharedSemaphore.open(args[2]) : null;
                     PosixSharedMemory shm = named ? null : PosixSharedMemory.open(args[2]);
                     Mapping mapping = named ? null : shm.map()) {
                    Semaphore semaphore = named ? sharedSemaphore.semaphore()
                            : Semaphore.attach(mapping.segment(), SyncFaultTest.SEMAPHORE);
                    semaphore.acquire();
                    if (mode.equals("sem-hold")) {
                        ChannelFaultChild.announceAndPark("ready");
                    }
                    System.out.println("acquired");
                }
            }
            case "mutex-hold", "mutex-wait" -> {
                try (PosixSharedMemory shm = PosixSharedMemory.open(args[1]); Mapping mapping = shm.map()) {
                    MemorySegment segment = mapping.segment();
                    Mutex mutex = Mutex.attach(segment, 0);
                    LockResult result = mutex.lock();
                    if (mode.equals("mutex-hold")) {
                        if (result != LockResult.ACQUIRED) {
                            throw new AssertionError("lock: " + result);
                        }
                        long value = segment.get(ValueLayout.JAVA_LONG, SyncFaultTest.DATA) + 1;
                        segment.set(ValueLayout.JAVA_LONG, SyncFaultTest.DATA, value);
                        ChannelFaultChild.announceAndPark("ready");
                    }
                    System.out.println("locked " + result);
                    mutex.unlock();
                }
            }
            default -> throw new IllegalArgumentException("mode " + mode);
        }
    }
}
