package jipc.cli.sem;

import java.util.concurrent.Callable;

import jipc.sync.NamedSemaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jipc sem get NAME}: prints {@code sem_getvalue}. */
@Command(name = "get", description = "Print a named semaphore's value now (sem_getvalue): a snapshot that may change "
        + "at once.")
public final class SemGet implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", converter = SemName.class, description = SemName.SYNTAX + ".")
    String name;

    @Override
    public Integer call() throws Exception {
        try (NamedSemaphore semaphore = NamedSemaphore.open(name)) {
            System.out.println(semaphore.value());
        }
        return 0;
    }
}
