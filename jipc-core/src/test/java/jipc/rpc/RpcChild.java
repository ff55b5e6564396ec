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
 *   <li>{@code call NAME COUNT}: a client that makes COUNT calls, call {@code i} of type {@code 1 + i % 1000} with
 *       the bytes of {@code "request " + i}, and expects each answered with the request reversed and type + 1 (the
 *       Python service of {@code python/tests/test_rpc.py}); prints {@code called COUNT}, exits 1 at a wrong
 *       answer.</li>
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
                case "call" -> {
                    int count = Integer.parseInt(args[2]);
                    try (RpcClient client = rpc.client()) {
                        for (int i = 0; i < count; i++) {
                            byte[] request = ("request " + i).getBytes(StandardCharsets.UTF_8);
                            int type = 1 + i % 1000;
                            int call = i;
                            String answer = client.call(type, java.lang.foreign.MemorySegment.ofArray(request),
                                    Duration.ofSeconds(30), (t, response) -> {
                                        if (t != type + 1) {
                                            throw new IllegalStateException("call " + call + ": type " + t);
                                        }
                                        return new StringBuilder(new String(response.toArray(ValueLayout.JAVA_BYTE),
                                                StandardCharsets.UTF_8)).reverse().toString();
                                    });
                            if (!answer.equals("request " + i)) {
                                System.err.println("call " + i + ": answered '" + answer + "' reversed");
                                System.exit(1);
                            }
                        }
                    }
                    System.out.println("called " + count);
                    System.out.flush();
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }
}
