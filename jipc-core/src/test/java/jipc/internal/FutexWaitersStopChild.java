package jipc.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jipc.testing.Await;

/**
 * The child JVM of {@link FutexWaitersTest}'s stop cases, which end service threads for good (a JVM-wide, one-way
 * change). {@code stop}: a virtual thread parks on a word, {@link FutexWaiters#stop} runs, and the child prints the
 * parked wait's result, whether a service thread is left, and the result of a wait begun after the stop.
 * {@code exit}: a virtual thread's wait ends (a timeout), main returns, and a shutdown hook of the child's own, run
 * beside jipc's, prints how many service threads are left once they have had 5 s to stop.
 */
public final class FutexWaitersStopChild {
    private FutexWaitersStopChild() {
    }

    public static void main(String[] args) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(4, 4);
            if (args[0].equals("stop")) {
                CompletableFuture<Integer> parked = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> parked.complete(FutexWaiters.await(word, 0, Long.MAX_VALUE)));
                Await.until(Duration.ofSeconds(30), "the word watched", () -> FutexWaiters.watchedWords() >= 1);
                System.out.println("watched " + FutexWaiters.watchedWords());
                FutexWaiters.stop();
                System.out.println("parked " + parked.get(30, TimeUnit.SECONDS));
                System.out.println("threads " + FutexWaiters.threads() + " alive " + serviceThreadsAlive());
                CompletableFuture<Integer> later = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> later.complete(FutexWaiters.await(word, 0, 20_000_000L)));
                System.out.println("later " + later.get(30, TimeUnit.SECONDS) + " threads " + FutexWaiters.threads());
            } else {
                Thread.ofVirtual().start(() -> FutexWaiters.await(word, 0, 20_000_000L)).join();
                System.out.println("waited, threads " + FutexWaiters.threads());
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Await.until(Duration.ofSeconds(5), "the service threads ended",
                                () -> FutexWaiters.threads() == 0 && serviceThreadsAlive() == 0);
                    } catch (Exception | AssertionError notInTime) {
                        // print what is left: the test compares it
                    }
                    System.out.println("at exit threads " + FutexWaiters.threads() + " alive " + serviceThreadsAlive());
                }));
            }
        }
    }

    private static long serviceThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("jipc-futex-waiter-") && t.isAlive()).count();
    }
}
