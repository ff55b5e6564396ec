package jipc.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Waiting for a condition with a deadline: how tests wait for another process, instead of sleeping. */
public final class Await {
    private Await() {
    }

    /** A condition that may throw. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** Checks {@code condition} every millisecond or so until it holds; fails after {@code timeout}. */
    public static void until(Duration timeout, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
