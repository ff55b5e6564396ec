package jipc.cli.rpc;

import java.util.concurrent.Callable;

import jipc.cli.JipcCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jipc rpc}: request/response objects in POSIX shared memory, for shell scripts and other languages. */
@Command(name = "rpc",
        description = {"Create, serve, call, inspect and remove a jipc rpc object: one service answering many "
                + "clients through shared memory (/dev/shm), each client getting exactly its own responses.",
                "Every command takes the object's NAME: /name, as for shm_open."},
        subcommands = {RpcCreate.class, RpcServe.class, RpcCall.class, RpcStat.class, RpcRm.class})
public final class RpcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw JipcCommand.missingSubcommand(spec);
    }
}
