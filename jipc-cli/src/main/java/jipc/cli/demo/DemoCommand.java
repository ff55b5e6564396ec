package jipc.cli.demo;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jipc demo [NAME]}: the classic IPC demos, narrated step by step. Without a name it runs every demo in the
 * order of {@code subcommands} below, so adding a demo is adding its class there.
 */
@Command(name = "demo",
        description = {"Run the classic IPC demos, narrated step by step (which process does what, with which fd).",
                "Without a name, runs every demo in order."},
        subcommands = {PipeDemo.class, FifoDemo.class, ShmDemo.class, SemDemo.class, ChannelDemo.class,
                TopicDemo.class})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Set<CommandLine> demos = new LinkedHashSet<>(spec.commandLine().getSubcommands().values()); // minus aliases
        boolean first = true;
        for (CommandLine demo : demos) {
            if (!first) {
                System.out.println();
            }
            first = false;
            Object result = ((Callable<?>) demo.getCommandSpec().userObject()).call();
            if (result instanceof Integer code && code != 0) {
                return code;
            }
        }
        return 0;
    }
}
