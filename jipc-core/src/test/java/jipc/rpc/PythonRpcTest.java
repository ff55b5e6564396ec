package jipc.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.JavaCommand;
import jipc.testing.Python;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request/response between Java and Python ({@code python/tests/rpc_peer.py} over {@code jipc.Rpc}, on the C twin
 * {@code native/jipc_rpc.c}): Python clients of a Java service and a Java client of a Python service, each answer the
 * request reversed; then the package's rpc unit tests ({@code python/tests/test_rpc.py}) on an object made here, and
 * on objects Python creates ({@code Rpc.create}) with a Java client and a Java service ({@link RpcChild}) in child
 * JVMs.
 */
class PythonRpcTest {
    private static final long SEED = 4242;
    private static final int MAX = 500;
    private static final int CALLS = 10_000;

    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-py-rpc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedRpc.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedRpc.unlinkIfExists(name);
    }

    private static byte[] reversed(MemorySegment request) {
        byte[] bytes = request.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[bytes.length - 1 - i];
        }
        return out;
    }

    @Test
    void twoPythonClientsCallAJavaServiceTenThousandTimesEach() throws Exception {
        Python.interpreter();
        try (SharedRpc rpc = SharedRpc.create(name, 4, 1 << 16, 1 << 16);
             RpcService service = rpc.service()) {
            Future<Void> serving = Background.run("service",
                    () -> service.serve((type, request, responder) -> responder.respond(type + 1, reversed(request))));
            try (Capture a = Capture.start(Python.script("rpc_peer.py", "call", name, "" + SEED, "" + MAX, "" + CALLS));
                 Capture b = Capture.start(Python.script("rpc_peer.py", "call", name, "" + (SEED + 1), "" + MAX,
                         "" + CALLS))) {
                assertEquals("called " + CALLS + "\n", a.finish(Duration.ofSeconds(60)).assertSuccess().out());
                assertEquals("called " + CALLS + "\n", b.finish(Duration.ofSeconds(60)).assertSuccess().out());
            } finally {
                service.stop();
                serving.get(10, TimeUnit.SECONDS);
            }
            assertEquals(2L * CALLS, service.requestsHandled());
        }
    }

    @Test
    void aJavaClientCallsAPythonServiceTenThousandTimes() throws Exception {
        Python.interpreter();
        try (SharedRpc rpc = SharedRpc.create(name, 4, 1 << 16, 1 << 16);
             Capture service = Capture.start(Python.script("rpc_peer.py", "serve", name, "" + CALLS));
             RpcClient client = rpc.client()) {
            Await.until(Duration.ofSeconds(30), "the Python service to start", () -> service.outSoFar().contains("ready"));
            java.util.Random random = new java.util.Random(SEED);
            for (int i = 0; i < CALLS; i++) {
                byte[] request = new byte[random.nextInt(MAX + 1)];
                random.nextBytes(request);
                int type = 1 + random.nextInt(1000);
                int[] got = new int[1];
                byte[] response = client.call(type, MemorySegment.ofArray(request), Duration.ofSeconds(30),
                        (t, r) -> {
                            got[0] = t;
                            return r.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                        });
                assertEquals(type + 1, got[0], "call " + i);
                assertArrayEquals(reversed(MemorySegment.ofArray(request)), response, "call " + i);
            }
            assertEquals("ready\nserved " + CALLS + "\n", service.finish(Duration.ofSeconds(30)).assertSuccess().out());
        }
    }

    @Test
    void pythonRpcUnitTestsPass() throws Exception {
        Python.interpreter();
        try (SharedRpc rpc = SharedRpc.create(name, 4, 1 << 16, 1 << 16);
             Capture run = Capture.start(Python.command("-m", "unittest", "-v", "test_rpc")
                     .directory(Python.packageRoot().resolve("tests")).env("JIPC_TEST_RPC", name)
                     .env("JIPC_TEST_JAVA", String.join("\n", JavaCommand.argv(RpcChild.class))))) {
            Capture.Result result = run.finish(Duration.ofSeconds(120)).assertSuccess();
            assertTrue(result.err().contains("OK") && !result.err().contains("skipped"), result.err());
        }
    }
}
