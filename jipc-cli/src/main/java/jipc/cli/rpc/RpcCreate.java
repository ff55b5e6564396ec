package jipc.cli.rpc;

import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.rpc.RpcDescriptor;
import jipc.rpc.SharedRpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc rpc create NAME [--clients 8] [--request-capacity 256K] [--response-capacity 64K] [--mode 0600]}. */
@Command(name = "create", description = {"Create an rpc object in POSIX shared memory (shm_open O_EXCL, mode 0600 "
        + "unless --mode) and print its NAME.",
        "It holds a request ring shared by all clients and one response ring per client slot; the largest request "
                + "(response) is an eighth of its ring minus 24 bytes."})
public final class RpcCreate implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The object's name: /name.")
    String name;

    @Option(names = {"-n", "--clients"}, paramLabel = "N", defaultValue = "8",
            description = "Client slots: clients at a time, 1.." + RpcDescriptor.MAX_CLIENT_SLOTS
                    + " (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = {"--request-capacity"}, paramLabel = "SIZE", defaultValue = "256K",
            converter = Converters.LongByteSize.class,
            description = "Request ring bytes, a power of two >= 1K (default: ${DEFAULT-VALUE}).")
    long requestCapacity;

    @Option(names = {"--response-capacity"}, paramLabel = "SIZE", defaultValue = "64K",
            converter = Converters.LongByteSize.class,
            description = "Bytes of each client's response ring, a power of two >= 1K (default: ${DEFAULT-VALUE}).")
    long responseCapacity;

    @Option(names = {"--mode"}, paramLabel = "MODE", defaultValue = "0600", converter = Converters.OctalMode.class,
            description = "Permission bits in octal (default: ${DEFAULT-VALUE}); every end needs read and write.")
    int mode;

    @Override
    public Integer call() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, clients, requestCapacity, responseCapacity, mode)) {
            System.out.println(rpc.name());
        }
        return 0;
    }
}
