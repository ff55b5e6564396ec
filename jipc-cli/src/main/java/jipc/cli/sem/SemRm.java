package jipc.cli.sem;

import java.util.concurrent.Callable;

import jipc.sync.NamedSemaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc sem rm NAME [--force]}: {@code sem_unlink}. */
@Command(name = "rm", description = {"Remove a named semaphore (sem_unlink).",
        "Processes that have it open keep using it; new opens fail, and a new semaphore may take the name."})
public final class SemRm implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", converter = SemName.class, description = SemName.SYNTAX + ".")
    String name;

    @Option(names = {"-f", "--force"}, description = "Succeed if there is no such semaphore.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (force) {
            NamedSemaphore.unlinkIfExists(name);
        } else {
            NamedSemaphore.unlink(name);
        }
        return 0;
    }
}
