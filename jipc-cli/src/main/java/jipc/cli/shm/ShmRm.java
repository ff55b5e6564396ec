package jipc.cli.shm;

import java.util.concurrent.Callable;

import jipc.ErrnoException;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc shm rm TARGET}: {@code shm_unlink} or {@code shmctl(IPC_RMID)}. */
@Command(name = "rm", description = {"Remove a shared memory object: shm_unlink for /name, shmctl(IPC_RMID) for a "
        + "System V segment (like ipcrm).",
        "Processes that have it mapped keep using it; the memory is freed when the last one lets go."})
public final class ShmRm implements Callable<Integer> {
    @Parameters(paramLabel = "TARGET", converter = ShmTarget.Converter.class, description = ShmTarget.SYNTAX + ".")
    ShmTarget target;

    @Option(names = {"-f", "--force"}, description = "Succeed if there is no such object.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try {
            target.remove();
        } catch (ErrnoException e) {
            if (!(force && e.is("ENOENT"))) {
                throw e;
            }
        } catch (Failure f) {
            if (!(force && f.exitCode() == ExitCodes.NO_INPUT)) {
                throw f;
            }
        }
        return 0;
    }
}
