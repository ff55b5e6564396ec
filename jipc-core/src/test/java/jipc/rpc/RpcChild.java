package jipc.rpc;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A service or a client of an rpc object in a child JVM, for tests that kill one end.
 *
 * <ul>
 *   <li>{@code serve NAME THREADS}: the service; type 1 answers the request in upper case, type 2 prints
 *       {@code got} and never answers (the handler parks for good), type 3 answers with the largest response.</li>
 *   <li>{@code flood NAME COUNT}: a client that sends COUNT type-3 requests without reading a response, prints
 *       {@code sent SLOT GENERATION} and parks for good.</li>
 * </ul>
 */
public final class RpcChild {
    private RpcChild() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[1];
        try (SharedRpc rpc = SharedRpc.attach(name)) {
            switch (args[0]) {
                case "serve" -> {
                    RpcService service = rpc.service();
                    int max = rpc.maxResponseLength();
                    RequestHandler handler = (type, request, responder) -> {
                        switch (type) {
                            case 2 -> {
                                synchronized (System.out) {
                                    System.out.println("got");
                                    System.out.flush();
                                }
                                for (;;) {
                                    LockSupport.park();
                                }
                            }
                            case 3 -> responder.respond(3, new byte[max]);
                            default -> responder.respond(type, new String(request.toArray(ValueLayout.JAVA_BYTE),
                                    StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
                        }
                    };
                    System.out.println("serving");
                    System.out.flush();
                    int threads = Integer.parseInt(args[2]);
                    if (threads == 1) {
                        service.serve(handler);
                    } else {
                        service.serve(handler, threads);
                    }
                }
                case "flood" -> {
                    RpcClient client = rpc.client();
                    int count = Integer.parseInt(args[2]);
                    for (int i = 0; i < count; i++) {
                        client.sendWithoutWaiting(3, new byte[] {(byte) i}, Duration.ofSeconds(30));
                    }
                    System.out.println("sent " + client.slot() + " " + client.generation());
                    System.out.flush();
                    for (;;) {
                        LockSupport.park();
                    }
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }
}
