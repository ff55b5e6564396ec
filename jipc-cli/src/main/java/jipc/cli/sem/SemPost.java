package jipc.cli.sem;

import java.util.concurrent.Callable;

import jipc.sync.NamedSemaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc sem post NAME [--count N]}: {@code sem_post} N times. */
@Command(name = "post", description = "Add COUNT to a named semaphore's value (sem_post COUNT times), waking as many "
        + "waiters.")
public final class SemPost implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", converter = SemName.class, description = SemName.SYNTAX + ".")
    String name;

    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "1",
            description = "How many times to post, at least 1 (default: ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("--count=" + count + " must be at least 1");
        }
        try (NamedSemaphore semaphore = NamedSemaphore.open(name)) {
            for (int i = 0; i < count; i++) {
                semaphore.post();
            }
        }
        return 0;
    }
}
