package jipc.cli.channel;

import java.util.concurrent.Callable;

import jipc.cli.JipcCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jipc channel}: message channels in POSIX shared memory, for shell scripts and programs in other languages. */
@Command(name = "channel",
        description = {"Create, feed, drain, inspect and remove a jipc message channel: a ring of messages in POSIX "
                + "shared memory (/dev/shm), one producer and one consumer.",
                "Every command takes the channel's NAME: /name, as for shm_open."},
        subcommands = {ChannelCreate.class, ChannelSend.class, ChannelRecv.class, ChannelStat.class, ChannelRm.class})
public final class ChannelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw JipcCommand.missingSubcommand(spec);
    }
}
