package jipc.cli.shm;

import java.util.concurrent.Callable;

import jipc.cli.JipcCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jipc shm}: POSIX and System V shared memory for shell scripts and programs in other languages. */
@Command(name = "shm",
        description = {"List, create, write, read, dump and remove shared memory: POSIX objects (/dev/shm) and "
                + "System V segments (ipcs -m).",
                "Every command but ls takes a TARGET: /name for a POSIX object, key:0x1234 or id:N for a System V "
                        + "segment (create also takes 'private' for a new IPC_PRIVATE segment)."},
        subcommands = {ShmLs.class, ShmCreate.class, ShmWrite.class, ShmRead.class, ShmDump.class, ShmRm.class})
public final class ShmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw JipcCommand.missingSubcommand(spec);
    }
}
