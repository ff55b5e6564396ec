package jipc.cli.fifo;

import java.util.concurrent.Callable;

import jipc.cli.JipcCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jipc fifo}: named pipes for shell scripts and programs in other languages. */
@Command(name = "fifo",
        description = "Create, read, write and remove named pipes (FIFOs).",
        subcommands = {FifoCreate.class, FifoRead.class, FifoWrite.class, FifoRm.class})
public final class FifoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw JipcCommand.missingSubcommand(spec);
    }
}
