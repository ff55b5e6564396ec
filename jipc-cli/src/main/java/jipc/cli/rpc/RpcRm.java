package jipc.cli.rpc;

import java.util.concurrent.Callable;

import jipc.ErrnoException;
import jipc.channel.ChannelFormatException;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.rpc.SharedRpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc rpc rm [-f] NAME}. */
@Command(name = "rm", description = "Remove the rpc object (shm_unlink) after checking that NAME is one. Processes "
        + "that have it open keep using it; new attaches fail.")
public final class RpcRm implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The object's name: /name.")
    String name;

    @Option(names = {"-f", "--force"}, description = "No error if there is no such object.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try (SharedRpc rpc = SharedRpc.attach(name)) {
            rpc.unlink();
        } catch (ChannelFormatException e) {
            throw new Failure(ExitCodes.NO_INPUT, name + " is not a jipc rpc object (" + e.getMessage()
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
