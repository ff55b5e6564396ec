package jipc.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.live.PartyState;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.JavaCommand;
import jipc.testing.Python;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Request/response between Java and Python ({@code python/tests/rpc_peer.py} over {@code jipc.Rpc}, on the C twin
 * {@code native/jipc_rpc.c}): Python clients of a Java service and a Java client of a Python service, each answer the
 * request reversed; then the package's rpc unit tests ({@code python/tests/test_rpc.py}) on an object made here, and
 * on objects Python creates ({@code Rpc.create}) with a Java client and a Java service ({@link RpcChild}) in child
 * JVMs. And the crash cases of {@link RpcProcessTest} with Python at one end: a Python service SIGKILLed under waiting
 * Java and Python clients, a Java service SIGKILLed under a waiting Python client, a Python client SIGKILLed with
 * requests in flight.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PythonRpcTest {
    private static final int SIGKILL = 9;
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

    /** Whether {@code thread} is inside a call, past sending, waiting for its response ({@code RpcClient.await}). */
    private static boolean awaitingResponse(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(frame -> frame.getClassName().equals(
                RpcClient.class.getName()) && frame.getMethodName().equals("await"));
    }

    /** The line {@code rpc_peer.py wait} printed for a ServiceUnavailableError, checked to name the dead service. */
    private static void assertPythonSawTheServiceDead(String out, String name, int servicePid) {
        assertTrue(out.startsWith("calling\nunavailable "), out);
        assertTrue(out.contains("rpc \"" + name + "\": the service (pid " + servicePid
                + ") is dead: call failed: ESRCH"), out);
        double seconds = Double.parseDouble(out.lines().toList().get(1).split(" ")[1]);
        assertTrue(seconds < 10, "the Python call took " + seconds + " s of its 60 s deadline");
    }

    @Test
    void aPythonServiceKilledWhileJavaAndPythonClientsWaitFailsThemAllWithinASliceNotAtTheirDeadline()
            throws Exception {
        Python.interpreter();
        try (SharedRpc rpc = SharedRpc.create(name, 8, 16 * 1024, 4096);
             Capture service = Capture.start(Python.script("rpc_peer.py", "hang", name))) {
            Await.until(Duration.ofSeconds(30), "the Python service to take the role",
                    () -> rpc.servicePid() == service.child().pid());
            int servicePid = service.child().pid();
            try (Capture python = Capture.start(Python.script("rpc_peer.py", "wait", name, "2"))) {
                Await.until(Duration.ofSeconds(30), "the Python client's request in the Python service's handler",
                        () -> service.outSoFar().contains("got"));
                Duration deadline = Duration.ofSeconds(60);
                ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
                ConcurrentLinkedQueue<Long> failedAt = new ConcurrentLinkedQueue<>();
                List<Thread> clients = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    clients.add(Thread.ofPlatform().daemon().name("client " + i).start(() -> {
                        try (RpcClient client = rpc.client()) {
                            client.call(2, "wait".getBytes(StandardCharsets.UTF_8), deadline);
                            failures.add(new AssertionError("a call to a hanging service returned"));
                        } catch (Throwable t) {
                            failedAt.add(System.nanoTime());
                            failures.add(t);
                        }
                    }));
                }
                // their requests sit in the request ring behind the Python client's, which the handler holds
                Await.until(Duration.ofSeconds(30), "the four Java clients waiting for their responses",
                        () -> clients.stream().allMatch(PythonRpcTest::awaitingResponse));
                long killed = System.nanoTime();
                service.child().signal(SIGKILL);
                Await.until(Duration.ofSeconds(10), "the Python client to fail",
                        () -> python.outSoFar().contains("unavailable "));
                long pythonTook = System.nanoTime() - killed;
                for (Thread t : clients) {
                    t.join(Duration.ofSeconds(30));
                }
                assertEquals(4, failures.size(), failures.toString());
                for (Throwable t : failures) {
                    assertTrue(t instanceof ServiceUnavailableException, String.valueOf(t));
                    assertTrue(t.getMessage().contains(name) && t.getMessage().contains("dead")
                            && t.getMessage().contains("pid " + servicePid), t.getMessage());
                }
                assertPythonSawTheServiceDead(python.finish().assertSuccess().out(), name, servicePid);
                long slowest = Math.max(pythonTook, failedAt.stream().mapToLong(at -> at - killed).max().orElseThrow());
                System.out.printf("4 Java clients and a Python client failed %.0f ms after the Python service's "
                        + "SIGKILL at the latest (deadline %s)%n", slowest / 1e6, deadline);
                assertTrue(slowest < 2_000_000_000L, "within about a slice, not at the deadline: " + slowest / 1e6
                        + " ms");
            }
            assertTrue(rpc.serviceState().isDead(), rpc.serviceState().toString());
            rpc.service().close(); // the role is free again, and its taker removes the dead service's token
        }
    }

    @Test
    void aPythonClientWaitingOnAKilledJavaServiceFailsWithinASliceNotAtItsDeadline() throws Exception {
        Python.interpreter();
        try (SharedRpc rpc = SharedRpc.create(name, 2, 4096, 4096);
             Capture service = Capture.start(Spawn.java(RpcChild.class, "serve", name, "1"))) {
            Await.until(Duration.ofSeconds(30), "the Java service to take the role",
                    () -> rpc.servicePid() == service.child().pid());
            try (Capture python = Capture.start(Python.script("rpc_peer.py", "wait", name, "2"))) {
                Await.until(Duration.ofSeconds(30), "the Python client's request in the Java service's handler",
                        () -> service.outSoFar().contains("got"));
                long killed = System.nanoTime();
                service.child().signal(SIGKILL);
                Await.until(Duration.ofSeconds(10), "the Python client to fail",
                        () -> python.outSoFar().contains("unavailable "));
                long took = System.nanoTime() - killed;
                assertPythonSawTheServiceDead(python.finish().assertSuccess().out(), name, service.child().pid());
                System.out.printf("the Python client failed %.0f ms after the Java service's SIGKILL (deadline 60 s)%n",
                        took / 1e6);
                assertTrue(took < 2_000_000_000L, "within about a slice, not at the deadline: " + took / 1e6 + " ms");
            }
            rpc.service().close(); // the role is free again, and its taker removes the dead service's token
        }
    }

    @Test
    void aPythonClientKilledWithRequestsInFlightLeavesItsSlotToTheNextClientAndTheServiceNeverBlocked()
            throws Exception {
        Python.interpreter();
        int hang = 2_000_000_000;
        int large = 2_000_000_001;
        int pending = 60;
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (SharedRpc rpc = SharedRpc.create(name, 2, 64 * 1024, 4096);
             RpcService service = rpc.service().responseWait(Duration.ofSeconds(120));
             AutoCloseable running = RpcTest.serving(service, (type, request, responder) -> {
                 if (type == hang) {
                     inHandler.countDown();
                     assertTrue(release.await(60, TimeUnit.SECONDS), "released");
                     responder.respond(type, new byte[rpc.maxResponseLength()]);
                 } else if (type == large) {
                     responder.respond(type, new byte[rpc.maxResponseLength()]);
                 } else {
                     responder.respond(type + 1, reversed(request));
                 }
             });
             RpcClient other = rpc.client()) {
            assertArrayEquals("olleh".getBytes(), other.call(1, "hello".getBytes(), Duration.ofSeconds(30)));
            int slot;
            try (Capture python = Capture.start(Python.script("rpc_peer.py", "pending", name, "" + hang, "" + large,
                    "" + pending))) {
                // 60 requests: the first held in the handler, 59 asking for the largest response (512 ring bytes
                // each) for a 4 KiB ring that holds 7: the service would fill it and wait while the client lived
                Await.until(Duration.ofSeconds(30), "the Python client's requests sent, the first in the handler",
                        () -> python.outSoFar().startsWith("sent ") && python.outSoFar().endsWith("\n")
                                && inHandler.getCount() == 0);
                slot = Integer.parseInt(python.outSoFar().split(" ")[1]);
                assertEquals(PartyState.Life.ALIVE, rpc.clients().stream().filter(c -> c.slot() == slot)
                        .findFirst().orElseThrow().state().life());
                python.child().signal(SIGKILL);
                assertEquals(SIGKILL, python.finish().status().signal(), "killed");
            }
            long killed = System.nanoTime();
            release.countDown();
            Await.until(Duration.ofSeconds(20), "the service through the dead client's requests (not waiting out "
                    + "its 120 s response wait)", () -> service.requestsHandled() + service.responsesDropped()
                    >= 1 + pending);
            for (int i = 0; i < 100; i++) {
                String request = i + " hi";
                assertEquals(new StringBuilder(request).reverse().toString(), new String(other.call(1,
                        request.getBytes(), Duration.ofSeconds(30)), StandardCharsets.UTF_8),
                        "the other client is not disturbed");
            }
            try (RpcClient next = rpc.client()) {
                assertEquals(slot, next.slot(), "the dead client's slot");
                assertEquals(2, next.generation());
                for (int i = 0; i < 100; i++) {
                    String request = "hello " + i;
                    assertEquals(new StringBuilder(request).reverse().toString(), new String(next.call(1,
                            request.getBytes(), Duration.ofSeconds(30)), StandardCharsets.UTF_8));
                }
                System.out.printf("the next client's 100 calls done %.0f ms after the Python client's SIGKILL; %d "
                        + "stale responses dropped by the client, %d by the service%n",
                        (System.nanoTime() - killed) / 1e6, next.staleResponsesDropped(), service.responsesDropped());
                assertTrue(next.staleResponsesDropped() >= 1, "the dead client's responses were in the ring");
                assertTrue(service.responsesDropped() >= pending - 7 - 2, "dropped: " + service.responsesDropped());
            }
            assertEquals("called 100\n", Capture.run(Python.script("rpc_peer.py", "call", name, "" + SEED, "400",
                    "100")).assertSuccess().out(), "a Python client takes the slot after them");
        }
    }
}
