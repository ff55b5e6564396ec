package jipc.cli.pipe;

import java.util.List;
import java.util.concurrent.Callable;

import jipc.BrokenPipeException;
import jipc.cli.ExitCodes;
import jipc.cli.Stdio;
import jipc.io.Fd;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc pipe to --fd N -- COMMAND [ARG...]}: runs COMMAND with a new pipe's read end at fd N and copies
 * jipc's standard input into the pipe; exits with COMMAND's exit code.
 */
@Command(name = "to", modelTransformer = PipeTo.StopAtCommand.class,
        description = {"Run COMMAND with the read end of a new pipe at fd N, copy standard input into the pipe, and "
                + "exit with COMMAND's exit code (128+n if signal n killed it).",
                "COMMAND's standard input is /dev/null unless N is 0; it inherits standard output and error.",
                "Everything from COMMAND on is passed to it unparsed."},
        footer = {"%nExample:%n  echo hello | jipc pipe to --fd 3 -- bash -c 'cat <&3'"})
public final class PipeTo implements Callable<Integer> {
    @Option(names = "--fd", paramLabel = "N", required = true,
            description = "Where COMMAND finds the pipe's read end (0 to 1023).")
    int childFd;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The program (looked up in PATH) and its "
            + "arguments.")
    List<String> command;

    /** Everything after the first positional argument belongs to COMMAND, even words that look like options. */
    public static final class StopAtCommand implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            spec.parser().stopAtPositional(true);
            return spec;
        }
    }

    @Override
    public Integer call() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Spawn spawn = Spawn.command(command).fd(childFd, pipe.source());
            if (childFd != 0) {
                spawn.nullFd(0); // jipc reads standard input; the command must not compete for it
            }
            try (ChildProcess child = spawn.start(); Fd stdin = Stdio.duplicate(0)) {
                try {
                    Stdio.copy(stdin, pipe.sink().fd(), child::isAlive);
                } catch (BrokenPipeException e) {
                    // COMMAND closed its end before the input ended; as in a shell pipeline, its exit code answers.
                }
                pipe.sink().close(); // COMMAND sees EOF
                ExitStatus status = child.waitFor();
                return status.exited() ? status.code() : ExitCodes.SIGNAL_BASE + status.signal();
            }
        }
    }
}
