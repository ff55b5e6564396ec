/*
 * PipeServer: a server with one virtual thread per client, each client a separate process talking to it over a pair
 * of anonymous pipes (the client's stdin and stdout).
 *
 * Shows: Pipe.open, Spawn.fd to hand a pipe end to a child as its fd 0 or 1 (the parent's copy is closed), blocking
 * reads and writes on virtual threads (a waiting virtual thread parks instead of holding its carrier thread, so
 * many clients need no more platform threads), and end of file when a client exits. Each client is a small shell
 * loop that sends "hello N" lines and checks each answer ("HELLO N").
 *
 *   java --enable-native-access=ALL-UNNAMED -cp ... dev.jipc.examples.PipeServer CLIENTS REQUESTS
 */
package dev.jipc.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.Spawn;

public final class PipeServer {
    /** A client: sends REQUESTS lines, reads an answer to each and exits 1 on a wrong answer. */
    private static final String CLIENT = """
            i=0
            while [ "$i" -lt "$1" ]; do
                echo "hello $i"
                read -r answer || exit 2
                [ "$answer" = "HELLO $i" ] || exit 1
                i=$((i + 1))
            done
            """;

    public static void main(String[] args) throws Exception {
        int clients = Integer.parseInt(args[0]);
        int requests = Integer.parseInt(args[1]);
        List<ChildProcess> children = new ArrayList<>();
        try (ExecutorService server = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> served = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Pipe toServer = Pipe.open();
                Pipe toClient = Pipe.open();
                children.add(Spawn.command("sh", "-c", CLIENT, "client", String.valueOf(requests))
                        .fd(0, toClient.source())          // the client reads answers on stdin
                        .fd(1, toServer.sink())            // and writes requests on stdout
                        .start());
                served.add(server.submit(() -> serve(toServer, toClient)));
            }
            int total = 0;
            for (Future<Integer> f : served) {
                total += f.get();
            }
            int failed = 0;
            for (ChildProcess child : children) {
                if (!child.waitFor().success()) {
                    failed++;
                }
            }
            System.out.printf("PipeServer: %d clients, %d requests answered on virtual threads, %d clients failed%n",
                    clients, total, failed);
            if (failed > 0 || total != clients * requests) {
                System.exit(1);
            }
        } finally {
            for (ChildProcess child : children) {
                child.close();
            }
        }
    }

    /** One connection: answers each request line until the client closes its end (end of file). */
    private static int serve(Pipe requests, Pipe answers) throws Exception {
        int count = 0;
        try (requests; answers;
                BufferedReader in = new BufferedReader(new InputStreamReader(requests.source().inputStream(), UTF_8));
                OutputStream out = answers.sink().outputStream()) {
            for (String line; (line = in.readLine()) != null; count++) {
                out.write((line.toUpperCase(Locale.ROOT) + "\n").getBytes(UTF_8));   // parks while the pipe is full
            }
        }
        return count;
    }
}
