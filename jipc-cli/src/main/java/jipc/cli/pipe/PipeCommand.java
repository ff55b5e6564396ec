package jipc.cli.pipe;

import java.util.concurrent.Callable;

import jipc.cli.JipcCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jipc pipe}: helpers for shell scripts around anonymous pipes. */
@Command(name = "pipe",
        description = "Inspect and resize the pipes a shell gives you, and hand a program a pipe on any fd.",
        subcommands = {PipeStat.class, PipeResize.class, PipeTo.class})
public final class PipeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw JipcCommand.missingSubcommand(spec);
    }
}
