package jipc.cli;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;

import jipc.cli.clean.Clean;
import jipc.cli.bench.BenchCommand;
import jipc.cli.demo.DemoCommand;
import jipc.cli.channel.ChannelCommand;
import jipc.cli.fifo.FifoCommand;
import jipc.cli.pipe.PipeCommand;
import jipc.cli.rpc.RpcCommand;
import jipc.cli.sem.SemCommand;
import jipc.cli.shm.ShmCommand;
import jipc.cli.topic.TopicCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code jipc}: the top of the command tree. {@code --help} and {@code --version} are inherited by every
 * subcommand ({@link ScopeType#INHERIT}).
 */
@Command(name = "jipc", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Linux inter-process communication from Java 25: classic demos, and pipe, FIFO, shared memory, "
                + "semaphore, channel, topic and request/response helpers for shell scripts and other languages, and the benchmark suite.",
        subcommands = {DemoCommand.class, FifoCommand.class, PipeCommand.class, ShmCommand.class, SemCommand.class,
                ChannelCommand.class, TopicCommand.class, RpcCommand.class, Clean.class, BenchCommand.class})
public final class JipcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** {@code jipc} without a command is a usage error. */
    @Override
    public Integer call() {
        throw missingSubcommand(spec);
    }

    /** The usage error of a command group run without one of its subcommands, naming them. */
    public static ParameterException missingSubcommand(CommandSpec spec) {
        Set<String> names = new LinkedHashSet<>();
        for (CommandLine sub : spec.commandLine().getSubcommands().values()) {
            names.add(sub.getCommandName());
        }
        return new ParameterException(spec.commandLine(), "missing a command: one of " + String.join(", ", names));
    }
}
