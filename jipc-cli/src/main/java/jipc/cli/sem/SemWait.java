package jipc.cli.sem;

import java.time.Duration;
import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.sync.NamedSemaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc sem wait NAME [--timeout 5s]}: {@code sem_wait}, or {@code sem_clockwait} with a deadline. */
@Command(name = "wait", description = {"Take one from a named semaphore's value, sleeping until it is above 0 "
        + "(sem_wait).",
        "With --timeout, give up after that long and exit " + ExitCodes.TIMED_OUT + "; --timeout 0 only tries "
                + "(sem_trywait)."})
public final class SemWait implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", converter = SemName.class, description = SemName.SYNTAX + ".")
    String name;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", converter = Converters.Timeout.class,
            description = "Longest wait: 500ms, 10s, 2m (default: wait as long as it takes).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        try (NamedSemaphore semaphore = NamedSemaphore.open(name)) {
            if (timeout == null) {
                semaphore.acquire();
            } else if (!semaphore.tryAcquire(timeout)) {
                throw new Failure(ExitCodes.TIMED_OUT, "timed out after " + describe(timeout) + ": " + name
                        + " stayed at 0");
            }
        }
        return 0;
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
