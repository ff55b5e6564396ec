package jipc.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a blocking system call that has nothing a virtual thread could park on (no descriptor yet, no futex word: a
 * FIFO {@code open} waiting for its other side, {@code sem_wait} on a named semaphore, System V {@code semop}) on a
 * small fixed pool of platform threads ({@code jipc-blocking-N}), while the calling virtual thread parks. Platform
 * threads call directly, as before.
 *
 * <p>At most {@value #THREADS} such calls block at once; more wait their turn in the pool's queue (parked, not
 * pinned). A call whose virtual thread is interrupted goes on in the pool until the kernel returns; what it then
 * returns is handed to {@code abandon} (e.g. to close a descriptor nobody will use).
 */
public final class BlockingCalls {
    private BlockingCalls() {
    }

    /** How many calls may block in the kernel at once. */
    public static final int THREADS = 4;

    /**
     * A system call that may block.
     *
     * @param <T> the call's result
     */
    @FunctionalInterface
    public interface Call<T> {
        /**
         * Makes the call; may block in the kernel.
         *
         * @return the call's result
         * @throws IOException what the call failed with
         */
        T run() throws IOException;
    }

    private static final class Pool {
        static final AtomicInteger COUNT = new AtomicInteger();
        static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(THREADS,
                r -> Thread.ofPlatform().daemon().name("jipc-blocking-" + COUNT.getAndIncrement()).unstarted(r));
    }

    /**
     * Runs {@code call} here on a platform thread; on a virtual thread, in the pool while this thread parks.
     *
     * @param abandon what to do with a result nobody waits for any more (the caller was interrupted)
     * @param call the blocking call, run once
     * @param <T> the call's result
     * @return what {@code call} returned
     * @throws InterruptedIOException if the virtual thread is interrupted while it waits (its flag is cleared)
     */
    public static <T> T call(Call<T> call, Consumer<T> abandon) throws IOException {
        if (!Thread.currentThread().isVirtual()) {
            return call.run();
        }
        Object[] box = new Object[1];
        boolean[] abandoned = new boolean[1];
        Future<T> future = Pool.EXECUTOR.submit(() -> {
            T result = call.run();
            synchronized (box) {
                if (abandoned[0]) {
                    abandon.accept(result);
                } else {
                    box[0] = result;
                }
            }
            return result;
        });
        try {
            return future.get();
        } catch (InterruptedException e) {
            synchronized (box) {
                abandoned[0] = true;
                @SuppressWarnings("unchecked")
                T done = (T) box[0];
                if (done != null) {
                    abandon.accept(done); // it finished meanwhile: nobody will use it
                }
            }
            throw new InterruptedIOException("interrupted while waiting for a blocking call");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        } catch (CancellationException e) {
            throw new InterruptedIOException("blocking call cancelled");
        }
    }
}
