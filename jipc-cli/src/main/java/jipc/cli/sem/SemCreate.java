package jipc.cli.sem;

import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.sync.NamedSemaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc sem create NAME [--value N] [--mode 0600] [--exclusive]}: {@code sem_open(O_CREAT)}, prints NAME. */
@Command(name = "create", description = {"Create a named semaphore holding VALUE with exactly MODE (the umask does "
        + "not change it), and print its NAME.",
        "Without --exclusive an existing semaphore is used as it is (its value and mode are not changed)."})
public final class SemCreate implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", converter = SemName.class, description = SemName.SYNTAX + ".")
    String name;

    @Option(names = {"-v", "--value"}, paramLabel = "N", defaultValue = "0",
            description = "Initial value, 0 to " + NamedSemaphore.MAX_VALUE + " (default: ${DEFAULT-VALUE}).")
    int value;

    @Option(names = {"-m", "--mode"}, paramLabel = "MODE", defaultValue = "0600",
            converter = Converters.OctalMode.class, description = "Permission bits in octal (default: ${DEFAULT-VALUE}).")
    int mode;

    @Option(names = {"-x", "--exclusive"}, description = "Fail (exit 73) if the semaphore exists already (O_EXCL).")
    boolean exclusive;

    @Override
    public Integer call() throws Exception {
        try (NamedSemaphore semaphore = exclusive
                ? NamedSemaphore.create(name, value, mode)
                : NamedSemaphore.openOrCreate(name, value, mode)) {
            System.out.println(semaphore.name());
        }
        return 0;
    }
}
