package jipc.cli.rpc;

import java.util.concurrent.Callable;

import jipc.live.Liveness;
import jipc.live.PartyState;
import jipc.rpc.SharedRpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jipc rpc stat NAME}: geometry, the service and each client holding a slot, with their liveness. */
@Command(name = "stat", description = "Print the rpc object's slots, ring sizes, largest request and response, "
        + "whether its service is alive, and which clients hold slots and whether they are alive, one 'key: value' a "
        + "line. Reads only; never changes the object.")
public final class RpcStat implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The object's name: /name.")
    String name;

    @Override
    public Integer call() throws Exception {
        try (SharedRpc rpc = SharedRpc.attach(name)) {
            StringBuilder out = new StringBuilder();
            line(out, "name", rpc.name());
            line(out, "client-slots", rpc.clientSlots());
            line(out, "request-capacity", rpc.requestCapacity());
            line(out, "response-capacity", rpc.responseCapacity());
            line(out, "max-request", rpc.maxRequestLength());
            line(out, "max-response", rpc.maxResponseLength());
            PartyState service = rpc.serviceState();
            line(out, "service", service.life() == PartyState.Life.NONE ? "none running"
                    : Liveness.describe(rpc.servicePid(), rpc.servicePidNamespace()) + " (" + service.word() + ": "
                    + service.reason() + ")");
            line(out, "services-started", Integer.toUnsignedString(rpc.serviceEpoch()));
            var clients = rpc.clients();
            line(out, "clients", clients.size() + " holding slots");
            for (SharedRpc.ClientSlot c : clients) {
                line(out, "client." + c.slot(), Liveness.describe(c.pid(), c.pidNamespace()) + " (" + c.state().word()
                        + ": " + c.state().reason() + "), generation " + Integer.toUnsignedString(c.generation()));
            }
            System.out.print(out);
        }
        return 0;
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(": ").append(value).append('\n');
    }
}
