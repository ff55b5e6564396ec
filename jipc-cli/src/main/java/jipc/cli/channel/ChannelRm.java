package jipc.cli.channel;

import java.util.concurrent.Callable;

import jipc.ErrnoException;
import jipc.channel.ChannelFormatException;
import jipc.channel.SharedChannel;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc channel rm [-f] NAME}: removes the channel's name; processes attached keep using it until they close. */
@Command(name = "rm", description = "Remove the channel (shm_unlink) after checking that NAME is a channel. Processes that have it open keep using it; new "
        + "attaches fail.")
public final class ChannelRm implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The channel's name: /name.")
    String name;

    @Option(names = {"-f", "--force"}, description = "No error if there is no such channel.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try (SharedChannel channel = SharedChannel.attach(name)) {
            channel.unlink();
        } catch (ChannelFormatException e) {
            throw new Failure(ExitCodes.NO_INPUT, name + " is not a jipc channel (" + e.getMessage()
                    + "); left alone: 'jipc shm rm' removes any shared memory object");
        } catch (ErrnoException e) {
            if (e.is("ENOENT") && force) {
                return 0;
            }
            throw e;
        }
        return 0;
    }
}
