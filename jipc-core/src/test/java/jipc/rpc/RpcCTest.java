package jipc.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The C twin ({@code native/jipc_rpc.c}, in {@code src/test/c/rpc_peer.c}) at either end of an rpc object Java
 * created: Java clients of a C service, C clients of a Java service, every byte checked, and a C service killed under
 * a waiting Java client; and an object the C twin created ({@code jipc_rpc_create}) checked and used by Java.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RpcCTest {
    private static final int CALLS = 5000;
    private String name;

    private static Path peer() {
        return Gcc.program("rpc_peer", "jipc_rpc.c", "jipc_channel.c", "jipc_live.c");
    }

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-rpc-c-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void unlink() throws IOException {
        SharedRpc.unlinkIfExists(name);
    }

    private static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The Java twin of rpc_peer's service: each byte plus one, same type. */
    static final RequestHandler PLUS_ONE = (type, request, responder) -> {
        MemorySegment room = responder.claim(type, (int) request.byteSize());
        for (long i = 0; i < request.byteSize(); i++) {
            room.set(ValueLayout.JAVA_BYTE, i, (byte) (request.get(ValueLayout.JAVA_BYTE, i) + 1));
        }
        responder.commit();
    };

    @Test
    void twoJavaClientsOfACServiceGetEveryByteOfTheirOwnResponses() throws Exception {
        Path program = peer();
        try (SharedRpc rpc = SharedRpc.create(name, 4, 64 * 1024, 16 * 1024);
             Capture service = Capture.start(Spawn.command(program.toString(), "serve", name, "" + 2 * CALLS))) {
            Await.until(Duration.ofSeconds(10), "the C service to take the role",
                    () -> rpc.servicePid() == service.child().pid());
            int max = Math.min(rpc.maxRequestLength(), rpc.maxResponseLength());
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int c = 0; c < 2; c++) {
                long seed = 1000L * (c + 1);
                threads.add(Thread.ofPlatform().start(() -> {
                    try (RpcClient client = rpc.client()) {
                        for (int i = 0; i < CALLS; i++) {
                            long h = mix(seed + i);
                            int length = (int) Long.remainderUnsigned(h, max + 1);
                            byte[] request = new byte[length];
                            for (int j = 0; j < length; j++) {
                                request[j] = (byte) (h + 7L * j);
                            }
                            int type = 1 + i % 7 == 2 ? 8 : 1 + i % 7;
                            int bad = client.call(type, MemorySegment.ofArray(request), Duration.ofSeconds(30),
                                    (t, response) -> {
                                        int wrong = t == type && response.byteSize() == length ? 0 : 1_000_000;
                                        for (int j = 0; j < length && wrong == 0; j++) {
                                            if (response.get(ValueLayout.JAVA_BYTE, j) != (byte) (request[j] + 1)) {
                                                wrong++;
                                            }
                                        }
                                        return wrong;
                                    });
                            assertEquals(0, bad, "call " + i + " of seed " + seed);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            Capture.Result result = service.finish(Duration.ofSeconds(30)).assertSuccess();
            assertEquals("serving\nhandled " + 2 * CALLS + "\n", result.out());
            assertEquals(0, rpc.servicePid(), "the C service gave its role back");
        }
    }

    @Test
    void twoCClientsOfAJavaServiceCheckEveryByte() throws Exception {
        Path program = peer();
        try (SharedRpc rpc = SharedRpc.create(name, 4, 64 * 1024, 16 * 1024);
             RpcService service = rpc.service();
             AutoCloseable running = RpcTest.serving(service, PLUS_ONE);
             Capture a = Capture.start(Spawn.command(program.toString(), "call", name, "11", "" + CALLS));
             Capture b = Capture.start(Spawn.command(program.toString(), "call", name, "22", "" + CALLS))) {
            for (Capture c : List.of(a, b)) {
                Capture.Result result = c.finish(Duration.ofSeconds(60)).assertSuccess();
                assertTrue(result.out().endsWith("called " + CALLS + "\n"), result.out());
            }
            assertEquals(2L * CALLS, service.requestsHandled());
            assertEquals(0, rpc.clients().size(), "both C clients gave their slots back");
        }
    }

    @Test
    void anObjectTheCTwinCreatesPassesJavasAttachChecksAndServesAJavaClient() throws Exception {
        Path program = peer();
        try (Capture service = Capture.start(Spawn.command(program.toString(), "create-serve", name, "" + CALLS))) {
            Await.until(Duration.ofSeconds(10), "the C twin to create the object and serve",
                    () -> service.outSoFar().contains("serving"));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(Path.of("/dev/shm" + name))));
            try (SharedRpc rpc = SharedRpc.attach(name); RpcClient client = rpc.client()) {
                assertEquals(3, rpc.clientSlots());
                assertEquals(65536 / 8 - 8 - 16, rpc.maxRequestLength());
                assertEquals(16384 / 8 - 8 - 16, rpc.maxResponseLength());
                assertEquals(service.child().pid(), rpc.servicePid());
                for (int i = 0; i < CALLS; i++) {
                    byte[] request = {(byte) i, (byte) (i >> 8), 42};
                    byte[] response = client.call(1, MemorySegment.ofArray(request), Duration.ofSeconds(30),
                            (t, r) -> r.toArray(ValueLayout.JAVA_BYTE));
                    assertEquals(List.of((byte) (request[0] + 1), (byte) (request[1] + 1), (byte) 43),
                            List.of(response[0], response[1], response[2]), "call " + i);
                }
            }
            assertEquals("created\nserving\nhandled " + CALLS + "\n",
                    service.finish(Duration.ofSeconds(30)).assertSuccess().out());
        }
        try (Capture again = Capture.start(Spawn.command(program.toString(), "create-serve", name, "1"))) {
            Capture.Result taken = again.finish(Duration.ofSeconds(30));
            assertEquals(2, taken.status().code(), taken.err());
            assertTrue(taken.err().contains("jipc_rpc_create(" + name + ") failed: shm_open: File exists"),
                    taken.err());
        }
    }

    @Test
    void aJavaClientWaitingOnAKilledCServiceFailsWithinASlice() throws Exception {
        Path program = peer();
        try (SharedRpc rpc = SharedRpc.create(name, 2, 4096, 4096);
             Capture service = Capture.start(Spawn.command(program.toString(), "serve", name, "1000"));
             RpcClient client = rpc.client()) {
            Await.until(Duration.ofSeconds(10), "the C service to take the role",
                    () -> rpc.servicePid() == service.child().pid());
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    client.call(2, new byte[] {1}, Duration.ofSeconds(60));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            Await.until(Duration.ofSeconds(10), "the request in the C handler", () -> service.outSoFar().contains("got"));
            long killed = System.nanoTime();
            service.child().signal(9);
            caller.join(Duration.ofSeconds(30));
            long took = System.nanoTime() - killed;
            assertTrue(thrown.get() instanceof ServiceUnavailableException, String.valueOf(thrown.get()));
            assertTrue(took < 2_000_000_000L, took / 1e6 + " ms");
            System.out.printf("the Java client failed %.0f ms after the C service's SIGKILL%n", took / 1e6);
        }
    }
}
