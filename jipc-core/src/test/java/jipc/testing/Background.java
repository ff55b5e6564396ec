package jipc.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Runs a task on a new platform thread of its own. Not the common ForkJoinPool: on a two-core machine it has one
 * worker, and a task blocked in a native call (a pipe read, a waitFor) would hold up every other task.
 */
public final class Background {
    private Background() {
    }

    public static <T> Future<T> call(String name, Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        Thread.ofPlatform().daemon().name(name).start(future);
        return future;
    }

    /** A task without a result. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    public static Future<Void> run(String name, Task task) {
        return call(name, () -> {
            task.run();
            return null;
        });
    }
}
