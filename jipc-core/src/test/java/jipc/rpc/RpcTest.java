package jipc.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import jipc.live.RoleTakenException;
import jipc.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Clients and a service in one process (threads): correlation, deadlines, zero copy, roles, failures. */
@Timeout(120)
class RpcTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-rpc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void unlink() throws IOException {
        SharedRpc.unlinkIfExists(name);
    }

    /** Runs {@code service.serve(handler)} on a thread until the returned handle is closed. */
    static AutoCloseable serving(RpcService service, RequestHandler handler) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("rpc-service").start(() -> {
            try {
                service.serve(handler);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        return () -> {
            service.stop();
            thread.join(10_000);
            if (failure.get() != null) {
                throw new AssertionError("the service failed", failure.get());
            }
        };
    }

    static final RequestHandler UPPER = (type, request, responder) -> {
        byte[] bytes = request.toArray(ValueLayout.JAVA_BYTE);
        responder.respond(type, new String(bytes, StandardCharsets.UTF_8).toUpperCase().getBytes(
                StandardCharsets.UTF_8));
    };

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void clientAndServiceThatSleepInFutexWaitAtOnceStillGetEveryAnswer() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 1, 4096, 4096);
             RpcService service = rpc.service().waitStrategy(jipc.channel.WaitStrategy.futex());
             AutoCloseable running = serving(service, UPPER);
             RpcClient client = rpc.client().waitStrategy(jipc.channel.WaitStrategy.futex())) {
            for (int i = 0; i < 1000; i++) {
                assertEquals("CALL " + i, text(client.call(1, ("call " + i).getBytes(StandardCharsets.UTF_8),
                        DEADLINE)));
            }
            assertThrows(NullPointerException.class, () -> client.waitStrategy(null));
            assertThrows(NullPointerException.class, () -> service.waitStrategy(null));
        }
    }

    @Test
    void eachOfEightClientThreadsGetsExactlyItsOwnResponses() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 8, 64 * 1024, 4096);
             RpcService service = rpc.service();
             AutoCloseable running = serving(service, UPPER)) {
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int c = 0; c < 8; c++) {
                int id = c;
                threads.add(Thread.ofVirtual().start(() -> {
                    try (SharedRpc mine = SharedRpc.attach(name); RpcClient client = mine.client()) {
                        for (int i = 0; i < 2000; i++) {
                            String request = "client " + id + " call " + i;
                            byte[] response = client.call(1 + (i % 5), request.getBytes(StandardCharsets.UTF_8),
                                    DEADLINE);
                            assertEquals(request.toUpperCase(), text(response));
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
            assertEquals(16_000, service.requestsHandled());
            assertEquals(0, service.responsesDropped());
        }
    }

    @Test
    void largePayloadsTravelZeroCopyBothWays() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 2, 1 << 20, 1 << 20);
             RpcService service = rpc.service();
             AutoCloseable running = serving(service, (type, request, responder) -> {
                 // the response is written in place: each byte of the request plus one, summed into the last 8
                 MemorySegment room = responder.claim(type, (int) request.byteSize());
                 for (long i = 0; i < request.byteSize(); i++) {
                     room.set(ValueLayout.JAVA_BYTE, i, (byte) (request.get(ValueLayout.JAVA_BYTE, i) + 1));
                 }
                 responder.commit();
             });
             RpcClient client = rpc.client()) {
            int length = rpc.maxRequestLength();
            assertTrue(length > 100_000, "max request " + length);
            for (int round = 0; round < 5; round++) {
                MemorySegment request = client.claim(3, length, DEADLINE);
                for (int i = 0; i < length; i++) {
                    request.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + round));
                }
                int r = round;
                long mismatches = client.commit((type, response) -> {
                    assertEquals(3, type);
                    assertTrue(response.isReadOnly(), "the handler sees the ring, read-only");
                    long bad = 0;
                    for (int i = 0; i < length; i++) {
                        if (response.get(ValueLayout.JAVA_BYTE, i) != (byte) (i * 31 + r + 1)) {
                            bad++;
                        }
                    }
                    return bad + (response.byteSize() == length ? 0 : 1_000_000);
                });
                assertEquals(0, mismatches);
            }
        }
    }

    @Test
    void aLateResponseIsDroppedAndNeverReachesTheNextCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (SharedRpc rpc = SharedRpc.create(name, 2, 4096, 4096);
             RpcService service = rpc.service();
             AutoCloseable running = serving(service, (type, request, responder) -> {
                 if (type == 9) {
                     release.await();
                 }
                 UPPER.onRequest(type, request, responder);
             });
             RpcClient client = rpc.client()) {
            long start = System.nanoTime();
            assertThrows(RpcTimeoutException.class, () -> client.call(9, "slow".getBytes(), Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
            release.countDown();
            assertEquals("FAST", text(client.call(1, "fast".getBytes(), DEADLINE)));
            assertEquals(1, client.staleResponsesDropped(), "the slow call's response came first and was dropped");
        }
    }

    @Test
    void aHandlerThatThrowsFailsOnlyThatCall() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 1, 4096, 4096);
             RpcService service = rpc.service();
             AutoCloseable running = serving(service, (type, request, responder) -> {
                 if (type == 2) {
                     throw new IllegalStateException("no such operation");
                 }
                 if (type != 3) {
                     UPPER.onRequest(type, request, responder);
                 }
             });
             RpcClient client = rpc.client()) {
            RpcFailedException e = assertThrows(RpcFailedException.class, () -> client.call(2, new byte[1], DEADLINE));
            assertTrue(e.getMessage().contains("no such operation"), e.getMessage());
            e = assertThrows(RpcFailedException.class, () -> client.call(3, new byte[1], DEADLINE));
            assertTrue(e.getMessage().contains("without responding"), e.getMessage());
            assertEquals("OK", text(client.call(1, "ok".getBytes(), DEADLINE)));
        }
    }

    @Test
    void noServiceFailsAtOnceAndAClosedServiceFailsAWaitingCallWithinASlice() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 2, 4096, 4096); RpcClient client = rpc.client()) {
            long start = System.nanoTime();
            ServiceUnavailableException none = assertThrows(ServiceUnavailableException.class,
                    () -> client.call(1, new byte[1], Duration.ofSeconds(30)));
            assertTrue(none.getMessage().contains("no service"), none.getMessage());
            assertTrue(System.nanoTime() - start < 1_000_000_000L);

            RpcService service = rpc.service(); // takes requests, never answers them
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                waiting.countDown();
                try {
                    client.call(1, new byte[1], Duration.ofSeconds(30));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            waiting.await();
            Await.until(Duration.ofSeconds(10), "the request to be in the ring", service::hasRequest);
            long closed = System.nanoTime();
            service.close();
            caller.join(10_000);
            assertTrue(thrown.get() instanceof ServiceUnavailableException, String.valueOf(thrown.get()));
            assertTrue(System.nanoTime() - closed < 2_000_000_000L, "failed within a slice, not at the deadline");
        }
    }

    @Test
    void allSlotsTakenAndASecondServiceAreRefused() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 2, 4096, 4096);
             RpcClient a = rpc.client(); RpcClient b = rpc.client(); RpcService service = rpc.service()) {
            assertEquals(0, a.slot());
            assertEquals(1, b.slot());
            RoleTakenException e = assertThrows(RoleTakenException.class, rpc::client);
            assertTrue(e.getMessage().contains("client slots"), e.getMessage());
            assertThrows(RoleTakenException.class, rpc::service);
            b.close();
            try (RpcClient c = rpc.client()) {
                assertEquals(1, c.slot(), "a slot given back is taken again");
                assertEquals(2, c.generation(), "with a new generation");
            }
        }
    }

    @Test
    void aPoolOfFourThreadsAnswersEveryClient() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 4, 16 * 1024, 4096); RpcService service = rpc.service()) {
            Thread server = Thread.ofPlatform().start(() -> {
                try {
                    service.serve(UPPER, 4);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int c = 0; c < 4; c++) {
                int id = c;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (RpcClient client = rpc.client()) {
                        for (int i = 0; i < 500; i++) {
                            String request = "pool " + id + "/" + i;
                            assertEquals(request.toUpperCase(), text(client.call(1, request.getBytes(), DEADLINE)));
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            service.stop();
            server.join(10_000);
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(2000, service.requestsHandled());
        }
    }

    @Test
    void createdOwnerOnlyByDefault() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 1, 4096, 4096)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    Path.of("/dev/shm" + name))));
        }
        SharedRpc.unlinkIfExists(name);
        try (SharedRpc rpc = SharedRpc.create(name, 1, 4096, 4096, 0660)) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    Path.of("/dev/shm" + name))));
        }
    }

    @Test
    void requestOfMaxLengthFitsAndOneMoreIsRefused() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 1, 4096, 4096);
             RpcService service = rpc.service();
             AutoCloseable running = serving(service, (type, request, responder) ->
                     responder.respond(1, new byte[] {(byte) request.byteSize()}));
             RpcClient client = rpc.client()) {
            int max = rpc.maxRequestLength();
            assertEquals(4096 / 8 - 8 - 16, max);
            assertArrayEquals(new byte[] {(byte) max}, client.call(1, new byte[max], DEADLINE));
            assertThrows(IllegalArgumentException.class, () -> client.call(1, new byte[max + 1], DEADLINE));
            assertThrows(IllegalArgumentException.class, () -> client.call(0, new byte[1], DEADLINE));
        }
    }
}
