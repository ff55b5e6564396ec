package jipc.cli.rpc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.rpc.RpcService;
import jipc.rpc.SharedRpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc rpc serve NAME -- COMMAND [ARGS...]}: the service, answering each request with one line of a
 * long-lived child process.
 */
@Command(name = "serve", description = {"Take the service role of NAME and start COMMAND once; write each request "
        + "as one line to its standard input and send the next line of its standard output back as the response.",
        "The command must answer every line with exactly one line and flush it (e.g. 'stdbuf -oL tr a-z A-Z', "
                + "'sed -u', 'python3 -u'). A request containing a newline is answered with a failure. Serves until "
                + "the command exits or serve is killed; clients waiting then fail within 100 ms. Exit 74 if "
                + "another live service holds the role, 69 when the command ends."})
public final class RpcServe implements Callable<Integer> {
    /** The message type of a text line, as {@code jipc channel send} uses it. */
    static final int LINE = 1;

    @Parameters(index = "0", paramLabel = "NAME", description = "The object's name: /name.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND",
            description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        try (SharedRpc rpc = SharedRpc.attach(name); RpcService service = rpc.service()) {
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Thread hook = new Thread(() -> {
                service.close(); // clients see no service at once
                child.destroy();
            }, "jipc rpc serve shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            OutputStream toChild = child.getOutputStream();
            BufferedReader fromChild = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            boolean[] ended = {false};
            try {
                while (!ended[0]) {
                    service.poll((type, request, responder) -> {
                        byte[] line = request.toArray(ValueLayout.JAVA_BYTE);
                        for (byte b : line) {
                            if (b == '\n') {
                                responder.fail("a request must not contain a newline");
                                return;
                            }
                        }
                        String answer;
                        try {
                            toChild.write(line);
                            toChild.write('\n');
                            toChild.flush();
                            answer = fromChild.readLine();
                        } catch (IOException e) {
                            answer = null;
                        }
                        if (answer == null) {
                            ended[0] = true;
                            responder.fail(String.join(" ", command) + " ended");
                            return;
                        }
                        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                        if (bytes.length > rpc.maxResponseLength()) {
                            responder.fail("the response line has " + bytes.length + " bytes, more than the largest "
                                    + rpc.maxResponseLength());
                            return;
                        }
                        responder.respond(LINE, bytes);
                    }, 1, java.time.Duration.ofMillis(100));
                    if (!child.isAlive() && !ended[0]) {
                        ended[0] = true;
                    }
                }
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down: the hook runs
                }
                toChild.close();
                child.destroy();
            }
            int status = child.waitFor();
            throw new Failure(ExitCodes.UNAVAILABLE, String.join(" ", command) + " ended (exit status " + status
                    + "); no longer serving " + name);
        }
    }
}
