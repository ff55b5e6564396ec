package jipc.live;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.sync.LockResult;
import jipc.sync.Mutex;

/**
 * A process with a liveness token, for {@link LivenessTokenProcessTest}. Modes:
 * <ul>
 * <li>{@code hold}: makes its token, prints {@code token PATH} and blocks forever.</li>
 * <li>{@code make}: makes its token, prints {@code token PATH} and exits.</li>
 * <li>{@code exit-holding NAME}: locks the mutex at offset 0 of the POSIX shared memory object NAME on its main thread,
 *     prints {@code token PATH}, installs a shutdown hook that prints {@code in hook} and blocks forever, and calls
 *     {@code System.exit(0)} from another thread: the JVM then runs its hooks while the main thread still holds the
 *     mutex, until the test kills it.</li>
 * <li>{@code lock-in-hook NAME}: locks and unlocks the mutex at offset 0 of NAME once, prints {@code token PATH},
 *     installs a shutdown hook that waits (at most 2 s) for jipc's own exit hook to have removed its token file,
 *     then locks the mutex, prints {@code locked in hook} and blocks forever; and calls {@code System.exit(0)}.</li>
 * </ul>
 */
public final class TokenChild {
    private TokenChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "hold" -> {
                announce();
                block();
            }
            case "make" -> announce();
            case "exit-holding" -> {
                try (PosixSharedMemory shm = PosixSharedMemory.open(args[1]); Mapping mapping = shm.map()) {
                    if (Mutex.attach(mapping.segment(), 0).lock() != LockResult.ACQUIRED) {
                        throw new AssertionError("the mutex was not free");
                    }
                    announce();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        System.out.println("in hook");
                        System.out.flush();
                        block();
                    }));
                    Thread.ofPlatform().start(() -> System.exit(0));
                    block(); // holding the mutex
                }
            }
            case "lock-in-hook" -> {
                PosixSharedMemory shm = PosixSharedMemory.open(args[1]);
                Mutex mutex = Mutex.attach(shm.map().segment(), 0);
                if (mutex.lock() != LockResult.ACQUIRED) {
                    throw new AssertionError("the mutex was not free");
                }
                mutex.unlock();
                Path token = Path.of(LivenessToken.standard().path());
                announce();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    // Hooks run in no given order: this one runs after whatever jipc does at exit.
                    long deadline = System.nanoTime() + 2_000_000_000L;
                    while (Files.exists(token) && System.nanoTime() - deadline < 0) {
                        LockSupport.parkNanos(1_000_000);
                    }
                    try {
                        if (mutex.lock() != LockResult.ACQUIRED) {
                            throw new AssertionError("the mutex was not free");
                        }
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    System.out.println("locked in hook");
                    System.out.flush();
                    block();
                }));
                System.exit(0);
            }
            default -> throw new IllegalArgumentException("mode " + args[0]);
        }
    }

    private static void announce() throws Exception {
        System.out.println("token " + LivenessToken.standard().path());
        System.out.flush();
    }

    private static void block() {
        for (;;) {
            LockSupport.park();
        }
    }
}
