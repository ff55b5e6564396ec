package jipc.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jipc.ErrnoException;
import jipc.channel.ChannelDescriptor;
import jipc.channel.ChannelFormatException;
import jipc.shm.PosixSharedMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad arguments and forged headers: each is refused with an exception that names the argument or field and its
 * value, nothing is created or left behind, and the object stays usable.
 */
class RpcBadInputTest {
    private String name;

    @BeforeEach
    void name() {
        name = "/jipc-rpc-bad-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void unlink() throws IOException {
        SharedRpc.unlinkIfExists(name);
    }

    @ParameterizedTest(name = "create(clients={0}, request={1}, response={2}) names {3}")
    @CsvSource({
        "0, 4096, 4096, clients=0",
        "53, 4096, 4096, clients=53",
        "-1, 4096, 4096, clients=-1",
        "1, 1000, 4096, requestCapacity=1000",
        "1, 512, 4096, requestCapacity=512",
        "1, 0, 4096, requestCapacity=0",
        "1, -4096, 4096, requestCapacity=-4096",
        "1, 2199023255552, 4096, requestCapacity=2199023255552",
        "1, 4096, 3000, responseCapacity=3000",
    })
    void badCreateArgumentsAreRefusedAndNothingIsCreated(int clients, long request, long response, String named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharedRpc.create(name, clients, request, response));
        assertTrue(e.getMessage().contains(named), e.getMessage());
        assertTrue(!Files.exists(Path.of("/dev/shm" + name)), "nothing created");
    }

    @Test
    void badNamesMissingObjectsAndObjectsOfAnotherKindAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> SharedRpc.create("no-slash", 1, 4096, 4096));
        assertThrows(NullPointerException.class, () -> SharedRpc.create(null, 1, 4096, 4096));
        ErrnoException missing = assertThrows(ErrnoException.class, () -> SharedRpc.attach(name));
        assertEquals("ENOENT", missing.errnoName());
        try (PosixSharedMemory zeros = PosixSharedMemory.create(name, 64 * 1024)) {
            ChannelFormatException e = assertThrows(ChannelFormatException.class, () -> SharedRpc.attach(name));
            assertTrue(e.getMessage().contains("magic=0x0"), e.getMessage());
        }
        SharedRpc.unlinkIfExists(name);
        try (PosixSharedMemory small = PosixSharedMemory.create(name, 100)) {
            ChannelFormatException e = assertThrows(ChannelFormatException.class, () -> SharedRpc.attach(name));
            assertTrue(e.getMessage().contains("size=100"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "forged {0} at {1} = {2}")
    @CsvSource({
        "version, 8, 4, 2",
        "client slots, 12, 4, 0",
        "client slots, 12, 4, 53",
        "header length, 16, 4, 4095",
        "flags, 20, 4, 1",
        "request offset, 24, 8, 8192",
        "request capacity, 32, 8, 3000",
        "response capacity, 56, 8, 1099511627777",
        "response stride, 56, 8, 1099511627776",
        "response offset, 40, 8, 4097",
        "response offset, 40, 8, 4096",
        "response stride, 48, 8, 0",
        "response stride, 48, 8, -4096",
        "total size, 64, 8, 9223372036854775807",
    })
    void aForgedHeaderFieldIsNamedAtAttach(String field, long offset, int width, long value) throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 2, 4096, 4096)) {
            var segment = rpc.mapping().segment();
            long before = width == 8 ? segment.get(ValueLayout.JAVA_LONG, offset)
                    : segment.get(ValueLayout.JAVA_INT, offset);
            if (width == 8) {
                segment.set(ValueLayout.JAVA_LONG, offset, value);
            } else {
                segment.set(ValueLayout.JAVA_INT, offset, (int) value);
            }
            ChannelFormatException e = assertThrows(ChannelFormatException.class, () -> SharedRpc.attach(name));
            assertTrue(e.getMessage().contains(field) && e.getMessage().contains(name), e.getMessage());
            if (width == 8) {
                segment.set(ValueLayout.JAVA_LONG, offset, before);
            } else {
                segment.set(ValueLayout.JAVA_INT, offset, (int) before);
            }
            try (SharedRpc again = SharedRpc.attach(name)) {
                assertEquals(2, again.clientSlots(), "usable again once the field is restored");
            }
        }
    }

    @Test
    void aForgedEmbeddedChannelHeaderIsNamedAtAttach() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 2, 4096, 4096)) {
            long second = RpcDescriptor.responseOffset(4096) + RpcDescriptor.responseStride(4096);
            rpc.mapping().segment().set(ValueLayout.JAVA_INT, second + ChannelDescriptor.FLAGS_OFFSET, 1);
            ChannelFormatException e = assertThrows(ChannelFormatException.class, () -> SharedRpc.attach(name));
            assertTrue(e.getMessage().contains("response channel 1"), e.getMessage());
        }
    }

    @Test
    void badCallArgumentsAreRefusedAndTheClientStaysUsable() throws Exception {
        try (SharedRpc rpc = SharedRpc.create(name, 1, 4096, 4096);
             RpcService service = rpc.service();
             AutoCloseable running = RpcTest.serving(service, (type, request, responder) -> {
                 if (type == 2) {
                     responder.respond(1, new byte[rpc.maxResponseLength() + 1]);
                 }
                 responder.respond(1, new byte[] {7});
             });
             RpcClient client = rpc.client()) {
            Duration d = Duration.ofSeconds(10);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> client.call(0, new byte[1], d))
                    .getMessage().contains("type=0"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> client.call(1, new byte[rpc.maxRequestLength() + 1], d)).getMessage().contains("length="));
            assertThrows(IllegalArgumentException.class, () -> client.claim(1, -1, d));
            assertThrows(IllegalArgumentException.class, () -> client.call(1, new byte[1], Duration.ofSeconds(-1)));
            assertThrows(NullPointerException.class, () -> client.call(1, new byte[1], null));
            assertThrows(IllegalStateException.class, () -> client.commit((t, r) -> r));
            assertThrows(IllegalStateException.class, client::abort);
            RpcFailedException tooLong = assertThrows(RpcFailedException.class, () -> client.call(2, new byte[1], d));
            assertTrue(tooLong.getMessage().contains("maxResponseLength"), tooLong.getMessage());
            assertEquals(7, client.call(1, new byte[1], d)[0], "still usable");
        }
        try (SharedRpc rpc = SharedRpc.create(name + "x", 1, 4096, 4096)) {
            RpcClient client = rpc.client();
            client.close();
            client.close(); // idempotent
            assertThrows(IllegalStateException.class, () -> client.call(1, new byte[1], Duration.ofSeconds(1)));
            rpc.unlink();
        }
    }
}
