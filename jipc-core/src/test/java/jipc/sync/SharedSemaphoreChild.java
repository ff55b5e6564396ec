package jipc.sync;

import java.time.Duration;

/**
 * The child process of {@link SharedSemaphoreTest}: opens the semaphore by the name given and plays one role.
 * Exit codes: 0 done, 2 bad usage, 5 no permit within 30 s.
 */
public final class SharedSemaphoreChild {
    private SharedSemaphoreChild() {
    }

    public static void main(String[] args) throws Exception {
        int code;
        try (SharedSemaphore shared = SharedSemaphore.open(args[1])) {
            Semaphore semaphore = shared.semaphore();
            code = switch (args[0]) {
                case "acquire" -> semaphore.tryAcquire(Duration.ofSeconds(30)) ? 0 : 5;
                case "release" -> {
                    semaphore.release();
                    yield 0;
                }
                default -> 2;
            };
        }
        System.exit(code);
    }
}
