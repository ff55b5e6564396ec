package jipc.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import jipc.live.PartyState;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One end in a child JVM killed with SIGKILL: the other end fails fast or goes on, never blocked and never misled. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RpcProcessTest {
    private static final int SIGKILL = 9;
    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-rpc-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void unlink() throws IOException {
        SharedRpc.unlinkIfExists(name);
    }

    @Test
    void eightWaitingClientsFailWithinASliceOfTheServiceBeingKilledNotAtTheirDeadline() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 8, 16 * 1024, 4096);
             Capture service = Capture.start(Spawn.java(RpcChild.class, "serve", name, "8"))) {
            Await.until(Duration.ofSeconds(30), "the child service to take the role",
                    () -> rpc.servicePid() == service.child().pid());
            Duration deadline = Duration.ofSeconds(60);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> failedAt = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    try (RpcClient client = rpc.client()) {
                        client.call(2, "wait".getBytes(StandardCharsets.UTF_8), deadline);
                        failures.add(new AssertionError("a call to a hanging handler returned"));
                    } catch (Throwable t) {
                        failedAt.add(System.nanoTime());
                        failures.add(t);
                    }
                }));
            }
            Await.until(Duration.ofSeconds(30), "all eight requests in the service's handlers",
                    () -> service.outSoFar().lines().filter("got"::equals).count() == 8);
            long killed = System.nanoTime();
            service.child().signal(SIGKILL);
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(30));
            }
            assertEquals(8, failures.size());
            for (Throwable t : failures) {
                assertTrue(t instanceof ServiceUnavailableException, String.valueOf(t));
                assertTrue(t.getMessage().contains(name) && t.getMessage().contains("dead")
                        && t.getMessage().contains("pid " + service.child().pid()), t.getMessage());
            }
            long slowest = failedAt.stream().mapToLong(at -> at - killed).max().orElseThrow();
            System.out.printf("8 clients failed %.0f ms after the service's SIGKILL at the latest (deadline %s)%n",
                    slowest / 1e6, deadline);
            assertTrue(slowest < 2_000_000_000L, "within about a slice, not at the deadline: " + slowest / 1e6 + " ms");
            assertTrue(rpc.serviceState().isDead(), rpc.serviceState().toString());
        }
    }

    @Test
    void aKilledClientsSlotIsReclaimedItsStaleResponsesDroppedAndTheServiceNeverBlocked() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 1, 64 * 1024, 4096);
             RpcService service = rpc.service().responseWait(Duration.ofSeconds(120));
             AutoCloseable running = RpcTest.serving(service, (type, request, responder) -> {
                 if (type == 3) {
                     responder.respond(3, new byte[rpc.maxResponseLength()]);
                 } else {
                     RpcTest.UPPER.onRequest(type, request, responder);
                 }
             });
             Capture flood = Capture.start(Spawn.java(RpcChild.class, "flood", name, "60"))) {
            // 60 largest responses (512 ring bytes each) for a 4 KiB ring that holds 7: the service fills it and waits while the client lives
            Await.until(Duration.ofSeconds(30), "the child to send", () -> flood.outSoFar().startsWith("sent 0 1"));
            Await.until(Duration.ofSeconds(30), "the service to fill the child's ring", () -> service.requestsHandled() >= 7);
            assertEquals(PartyState.Life.ALIVE, rpc.clients().get(0).state().life());
            flood.child().signal(SIGKILL);
            flood.finish();
            long killed = System.nanoTime();
            try (RpcClient next = rpc.client()) {
                assertEquals(0, next.slot(), "the dead client's slot");
                assertEquals(2, next.generation());
                for (int i = 0; i < 100; i++) {
                    assertEquals("HELLO " + i, new String(next.call(1, ("hello " + i).getBytes(), Duration.ofSeconds(30)),
                            StandardCharsets.UTF_8));
                }
                System.out.printf("100 calls of the next client done %.0f ms after the SIGKILL; %d stale responses "
                        + "dropped by the client, %d by the service%n", (System.nanoTime() - killed) / 1e6,
                        next.staleResponsesDropped(), service.responsesDropped());
                assertTrue(next.staleResponsesDropped() >= 1, "the dead client's responses were in the ring");
                assertTrue(service.responsesDropped() >= 60 - 7 - 2, "dropped: " + service.responsesDropped());
                assertTrue(System.nanoTime() - killed < 20_000_000_000L, "not waiting out the 120 s response wait");
            }
        }
    }
}
