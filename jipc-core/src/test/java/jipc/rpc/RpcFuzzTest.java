package jipc.rpc;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import jipc.channel.ChannelCorruptedException;
import jipc.channel.ChannelDescriptor;
import jipc.channel.ChannelFormatException;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile peer of an rpc object, in one process: between the calls of a Java service and Java clients, the fuzzer
 * writes what it likes into the RPC header (geometry, the service word, epoch, client slots' party and generation),
 * into the channel headers and records inside, and into request and response prefixes. Every call must return in
 * bounded time with a clean result or a documented exception ({@link ChannelCorruptedException},
 * {@link ChannelFormatException} at attach, {@link jipc.live.RoleTakenException} or the slot exhaustion of a forged
 * live party, {@link ServiceUnavailableException}, {@link RpcTimeoutException}, {@link RpcFailedException}); an
 * {@link IndexOutOfBoundsException}, any other exception or a hang is a finding.
 *
 * <p>{@code mvn verify} replays the inputs under {@code src/test/resources/jipc/rpc/RpcFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1 mvn -pl jipc-core test -Dtest=RpcFuzzTest} fuzzes.
 */
@Timeout(360)
class RpcFuzzTest {
    private static final long CALL_BOUND_NANOS = 2_000_000_000L;
    private static final Duration WAIT = Duration.ofMillis(2);
    private static final int[][] FIELDS = {
        {RpcDescriptor.MAGIC_OFFSET, 8}, {RpcDescriptor.VERSION_OFFSET, 4}, {RpcDescriptor.CLIENT_SLOTS_OFFSET, 4},
        {RpcDescriptor.HEADER_LENGTH_OFFSET, 4}, {RpcDescriptor.FLAGS_OFFSET, 4},
        {RpcDescriptor.REQUEST_OFFSET_OFFSET, 8}, {RpcDescriptor.REQUEST_CAPACITY_OFFSET, 8},
        {RpcDescriptor.RESPONSE_OFFSET_OFFSET, 8}, {RpcDescriptor.RESPONSE_STRIDE_OFFSET, 8},
        {RpcDescriptor.RESPONSE_CAPACITY_OFFSET, 8}, {RpcDescriptor.TOTAL_SIZE_OFFSET, 8},
        {RpcDescriptor.SERVICE_PARTY_OFFSET, 8}, {RpcDescriptor.SERVICE_PID_OFFSET, 4},
        {RpcDescriptor.SERVICE_EPOCH_OFFSET, 4},
    };

    @FuzzTest(maxDuration = "5m")
    void rpcSurvivesAHostilePeer(FuzzedDataProvider data) throws IOException {
        String name = "/jipc-rpc-fuzz-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (SharedRpc rpc = SharedRpc.create(name, 2, 1024, 1024)) {
            MemorySegment segment = rpc.mapping().segment();
            RpcService service = rpc.service().responseWait(WAIT);
            RpcClient client = rpc.client();
            RpcService[] services = {service};
            RpcClient[] clients = {client};
            while (data.remainingBytes() > 0) {
                if (data.consumeBoolean()) {
                    scribble(data, rpc, segment);
                } else {
                    int op = data.consumeInt(0, 6);
                    bounded(op, () -> call(op, data, rpc, services, clients));
                }
            }
        } finally {
            SharedRpc.unlinkIfExists(name);
        }
    }

    private static void scribble(FuzzedDataProvider data, SharedRpc rpc, MemorySegment segment) {
        long value = data.consumeLong();
        switch (data.consumeInt(0, 5)) {
            case 0 -> {
                int[] field = FIELDS[data.consumeInt(0, FIELDS.length - 1)];
                write(segment, field[0], field[1], value);
            }
            case 1 -> {
                long slot = RpcDescriptor.clientSlotOffset(data.consumeInt(0, 1));
                if (data.consumeBoolean()) {
                    write(segment, slot + RpcDescriptor.SLOT_PARTY_OFFSET, 8, value);
                } else {
                    write(segment, slot + RpcDescriptor.SLOT_GENERATION_OFFSET, 4, value);
                }
            }
            case 2, 3 -> {
                // a word of the request channel (header or ring: record headers, prefixes)
                long at = RpcDescriptor.REQUEST_OFFSET + (data.consumeLong(0, ChannelDescriptor.HEADER_LENGTH + 1024 - 8)
                        & -8L);
                write(segment, at, data.pickValue(new int[] {4, 8}), value);
            }
            case 4 -> {
                long base = RpcDescriptor.responseOffset(1024);
                long at = base + (data.consumeLong(0, 2 * RpcDescriptor.responseStride(1024) - 8) & -8L);
                write(segment, at, data.pickValue(new int[] {4, 8}), value);
            }
            default -> write(segment, data.consumeLong(0, segment.byteSize() - 1), 1, value);
        }
    }

    private static void write(MemorySegment segment, long offset, int width, long value) {
        switch (width) {
            case 8 -> segment.set(ValueLayout.JAVA_LONG, offset, value);
            case 4 -> segment.set(ValueLayout.JAVA_INT, offset, (int) value);
            default -> segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
        }
    }

    private static void call(int op, FuzzedDataProvider data, SharedRpc rpc, RpcService[] services,
                             RpcClient[] clients) throws Exception {
        switch (op) {
            case 0 -> clients[0].sendWithoutWaiting(1 + data.consumeInt(0, 9), new byte[data.consumeInt(0, 80)], WAIT);
            case 1 -> services[0].poll((type, request, responder) -> {
                if (type % 2 == 0) {
                    MemorySegment room = responder.claim(type, (int) Math.min(request.byteSize(), 80));
                    if (room != null) {
                        room.fill((byte) 1);
                        responder.commit();
                    }
                } else {
                    responder.respond(type, new byte[(int) Math.min(request.byteSize(), 80)]);
                }
            }, data.consumeInt(1, 16), Duration.ZERO);
            case 2 -> clients[0].call(1, MemorySegment.ofArray(new byte[data.consumeInt(0, 80)]), WAIT, (t, r) -> r.byteSize());
            case 3 -> {
                try (SharedRpc again = SharedRpc.attach(rpc.name())) {
                    again.clients();
                    again.serviceState();
                }
            }
            case 4 -> {
                clients[0].close();
                clients[0] = rpc.client();
            }
            case 5 -> {
                services[0].close();
                services[0] = rpc.service().responseWait(WAIT);
            }
            default -> {
                rpc.clients();
                rpc.servicePid();
                services[0].hasRequest();
            }
        }
    }

    interface Call {
        void run() throws Exception;
    }

    private static void bounded(int op, Call call) {
        long start = System.nanoTime();
        try {
            call.run();
        } catch (ChannelCorruptedException e) {
            assertTrue(e.getMessage().startsWith("corrupt channel: " + e.field() + "="), e.getMessage());
        } catch (ChannelFormatException e) {
            assertTrue(e.getMessage().contains("="), e.getMessage());
        } catch (ServiceUnavailableException | RpcTimeoutException | RpcFailedException e) {
            assertTrue(e.getMessage().contains("rpc /"), e.getMessage());
        } catch (IllegalStateException e) {
            String m = e.getMessage();
            // a forged party word is a holder that cannot be judged: the role or slot counts as taken; a client or
            // service whose roles could not all be taken is closed; a channel header forged since attach refuses a
            // new client or service
            if (!(e instanceof jipc.live.RoleTakenException) && !m.contains("producer slots are held by live")
                    && !m.contains("is closed") && !(e.getCause() instanceof ChannelFormatException)) {
                throw e;
            }
        } catch (InterruptedException e) {
            fail("interrupted", e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("op " + op + ": undocumented exception", e);
        }
        long took = System.nanoTime() - start;
        if (took > CALL_BOUND_NANOS) {
            fail("op " + op + " took " + took / 1_000_000 + " ms");
        }
    }
}
