package jipc.cli.topic;

import java.util.concurrent.Callable;

import jipc.cli.JipcCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jipc topic}: publish/subscribe topics in POSIX shared memory, for shell scripts and other languages. */
@Command(name = "topic",
        description = {"Create, publish to, subscribe to, inspect and remove a jipc topic: one publisher and up to 64 "
                + "subscribers over one ring in POSIX shared memory (/dev/shm); every subscriber reads every message.",
                "Every command takes the topic's NAME: /name, as for shm_open."},
        subcommands = {TopicCreate.class, TopicPub.class, TopicSub.class, TopicStat.class, TopicRm.class})
public final class TopicCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw JipcCommand.missingSubcommand(spec);
    }
}
