package jipc.cli.rpc;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.rpc.RpcClient;
import jipc.rpc.RpcFailedException;
import jipc.rpc.RpcTimeoutException;
import jipc.rpc.ServiceUnavailableException;
import jipc.rpc.SharedRpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc rpc call NAME TEXT [--timeout 5s]}: one request, its response printed as a line. */
@Command(name = "call", description = {"Send TEXT as one request (type 1, UTF-8) and print the response as a line.",
        "Exit 69 if no live service is there (or it dies while the call waits: noticed within 100 ms), 75 if the "
                + "deadline passes, 70 if the service's handler failed, 74 if every client slot is taken."})
public final class RpcCall implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The object's name: /name.")
    String name;

    @Parameters(index = "1", paramLabel = "TEXT", description = "The request.")
    String text;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = Converters.Timeout.class,
            description = "How long the whole call may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        try (SharedRpc rpc = SharedRpc.attach(name); RpcClient client = rpc.client()) {
            byte[] response = client.call(RpcServe.LINE, text.getBytes(StandardCharsets.UTF_8), timeout);
            System.out.println(new String(response, StandardCharsets.UTF_8));
            System.out.flush();
        } catch (ServiceUnavailableException e) {
            throw new Failure(ExitCodes.UNAVAILABLE, e.getMessage());
        } catch (RpcTimeoutException e) {
            throw new Failure(ExitCodes.TIMED_OUT, e.getMessage());
        } catch (RpcFailedException e) {
            throw new Failure(ExitCodes.SOFTWARE, e.getMessage());
        }
        return 0;
    }
}
