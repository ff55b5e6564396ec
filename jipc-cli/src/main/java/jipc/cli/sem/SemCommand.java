package jipc.cli.sem;

import java.util.concurrent.Callable;

import jipc.cli.JipcCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jipc sem}: POSIX named semaphores ({@code sem_open}) for shell scripts and programs in other languages. */
@Command(name = "sem",
        description = {"Create, post, wait on, read and remove POSIX named semaphores (sem_open; /dev/shm/sem.NAME), "
                + "the ones C's sem_open(\"/NAME\") and Python's posix_ipc.Semaphore(\"/NAME\") use.",
                "NAME is /name (a missing leading / is added)."},
        subcommands = {SemCreate.class, SemPost.class, SemWait.class, SemGet.class, SemRm.class})
public final class SemCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw JipcCommand.missingSubcommand(spec);
    }
}
