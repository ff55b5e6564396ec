package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import jipc.process.Spawn;
import jipc.shm.PosixSharedMemory;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forged headers: a segment whose header says something no creator writes (wrong magic, version, flags, header
 * length, capacity, max message length, or a segment smaller than its header claims). Attaching refuses it with a
 * {@link ChannelFormatException} naming the field and both values (Java, on a raw segment and on a POSIX shared
 * memory object), and the C twin ({@code native/jipc_channel.c}, through {@code src/test/c/hostile_peer.c}) refuses
 * it with the matching error. Neither writes anything.
 */
@Timeout(120)
class ChannelHeaderForgeryTest {
    private static final long CAPACITY = 1024;
    private static final int MAX = 100;
    /** The largest max message length a 1024-byte ring takes: capacity / 8 - 8. */
    private static final int LIMIT = 120;

    /**
     * One forged field.
     *
     * @param field   what is forged
     * @param offset  its offset in the header
     * @param width   4 or 8 bytes
     * @param value   the forged value
     * @param message what the Java exception's message says (field and both values)
     * @param cError  what the C twin's {@code jipc_channel_strerror} says
     */
    record Forgery(String field, int offset, int width, long value, String message, String cError) {
        @Override
        public String toString() {
            return field + "=" + value;
        }
    }

    static Stream<Forgery> forgeries() {
        String magic = "magic=0x%s != 0x314e48434350494a (not a jipc channel, or not created yet)";
        String capacity = "capacity=%d is not a power of two >= 1024";
        String small = "segment.byteSize()=" + (4096 + CAPACITY) + " < header + capacity=%d";
        String max = "maxMessageLength=%d not in [1, " + LIMIT + "]";
        String cMagic = "no jipc channel there (magic)";
        String cCapacity = "capacity is not a power of two >= 1024";
        String cSmall = "segment smaller than the channel it holds";
        String cMax = "max message length out of range";
        return Stream.of(
                new Forgery("magic", ChannelDescriptor.MAGIC_OFFSET, 8, 0, magic.formatted("0"), cMagic),
                new Forgery("magic", ChannelDescriptor.MAGIC_OFFSET, 8, 0x324E48434350494AL,
                        magic.formatted("324e48434350494a"), cMagic),
                new Forgery("version", ChannelDescriptor.VERSION_OFFSET, 4, 0, "layout version=0 != supported=3",
                        "unsupported layout version"),
                new Forgery("version", ChannelDescriptor.VERSION_OFFSET, 4, 1, "layout version=1 != supported=3",
                        "unsupported layout version"),
                // the layout before liveness tokens: its ends would read pids where party ids are
                new Forgery("version", ChannelDescriptor.VERSION_OFFSET, 4, 2, "layout version=2 != supported=3",
                        "unsupported layout version"),
                new Forgery("version", ChannelDescriptor.VERSION_OFFSET, 4, -1, "layout version=-1 != supported=3",
                        "unsupported layout version"),
                new Forgery("flags", ChannelDescriptor.FLAGS_OFFSET, 4, 2, "flags=0x2 has unknown bits",
                        "unsupported flags (a later format)"),
                new Forgery("flags", ChannelDescriptor.FLAGS_OFFSET, 4, 0x80000000L,
                        "flags=0x80000000 has unknown bits", "unsupported flags (a later format)"),
                new Forgery("headerLength", ChannelDescriptor.HEADER_LENGTH_OFFSET, 4, 0, "header length=0 != 4096",
                        "header length is not 4096"),
                new Forgery("headerLength", ChannelDescriptor.HEADER_LENGTH_OFFSET, 4, 8192,
                        "header length=8192 != 4096", "header length is not 4096"),
                new Forgery("capacity", ChannelDescriptor.CAPACITY_OFFSET, 8, 0, capacity.formatted(0), cCapacity),
                new Forgery("capacity", ChannelDescriptor.CAPACITY_OFFSET, 8, 1000, capacity.formatted(1000),
                        cCapacity),
                new Forgery("capacity", ChannelDescriptor.CAPACITY_OFFSET, 8, 512, capacity.formatted(512), cCapacity),
                new Forgery("capacity", ChannelDescriptor.CAPACITY_OFFSET, 8, -4096, capacity.formatted(-4096),
                        cCapacity),
                // 2^63 as unsigned (C): a power of two, but no segment is that large
                new Forgery("capacity", ChannelDescriptor.CAPACITY_OFFSET, 8, Long.MIN_VALUE,
                        capacity.formatted(Long.MIN_VALUE), cSmall),
                new Forgery("capacity", ChannelDescriptor.CAPACITY_OFFSET, 8, 2048, small.formatted(4096 + 2048),
                        cSmall),
                new Forgery("capacity", ChannelDescriptor.CAPACITY_OFFSET, 8, 1L << 40,
                        small.formatted(4096 + (1L << 40)), cSmall),
                new Forgery("maxMessageLength", ChannelDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4, 0, max.formatted(0),
                        cMax),
                new Forgery("maxMessageLength", ChannelDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4, -1,
                        max.formatted(-1), cMax),
                new Forgery("maxMessageLength", ChannelDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4, LIMIT + 1,
                        max.formatted(LIMIT + 1), cMax),
                new Forgery("maxMessageLength", ChannelDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4, Integer.MAX_VALUE,
                        max.formatted(Integer.MAX_VALUE), cMax));
    }

    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-forged-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    private static void forge(MemorySegment segment, Forgery forgery) {
        if (forgery.width() == 8) {
            segment.set(ValueLayout.JAVA_LONG, forgery.offset(), forgery.value());
        } else {
            segment.set(ValueLayout.JAVA_INT, forgery.offset(), (int) forgery.value());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void bothJavaKindsRefuseAForgedHeaderNamingFieldAndValues(Forgery forgery) {
        for (boolean many : List.of(false, true)) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment segment = arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
                if (many) {
                    ManyToOneChannel.create(segment, CAPACITY, MAX);
                } else {
                    OneToOneChannel.create(segment, CAPACITY, MAX);
                }
                forge(segment, forgery);
                byte[] before = segment.toArray(ValueLayout.JAVA_BYTE);
                ChannelFormatException e = assertThrows(ChannelFormatException.class,
                        () -> {
                            if (many) {
                                ManyToOneChannel.attach(segment);
                            } else {
                                OneToOneChannel.attach(segment);
                            }
                        });
                assertEquals(forgery.message(), e.getMessage());
                assertTrue(java.util.Arrays.equals(before, segment.toArray(ValueLayout.JAVA_BYTE)),
                        "attach wrote nothing");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void sharedChannelAndTheCTwinRefuseAForgedHeader(Forgery forgery) throws Exception {
        Path peer = Gcc.program("hostile_peer", "jipc_channel.c", "jipc_live.c");
        try (SharedChannel shared = SharedChannel.create(name, CAPACITY, MAX)) {
            forge(shared.mapping().segment(), forgery);
            ChannelFormatException e = assertThrows(ChannelFormatException.class, () -> SharedChannel.attach(name));
            assertEquals("shared memory " + name + ": " + forgery.message(), e.getMessage());
            Capture.Result c = Capture.run(Spawn.command(peer.toString(), "attach", name));
            assertEquals(3, c.status().code(), c.toString());
            assertTrue(c.out().endsWith(" " + forgery.cError() + "\n"), c.out());
        }
    }

    @Test
    void theKindsRefuseEachOthersChannels() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
            OneToOneChannel.create(one, CAPACITY, MAX);
            assertEquals("flags=0x0: a one-producer channel, attach with OneToOneChannel.attach",
                    assertThrows(ChannelFormatException.class, () -> ManyToOneChannel.attach(one)).getMessage());
            MemorySegment many = arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
            ManyToOneChannel.create(many, CAPACITY, MAX);
            assertEquals("flags=0x1: a many-producer channel, attach with ManyToOneChannel.attach",
                    assertThrows(ChannelFormatException.class, () -> OneToOneChannel.attach(many)).getMessage());
        }
    }

    @Test
    void aSegmentSmallerThanTheHeaderIsRefused() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tiny = arena.allocate(100, 8);
            assertEquals("segment.byteSize()=100 < header=4096",
                    assertThrows(ChannelFormatException.class, () -> OneToOneChannel.attach(tiny)).getMessage());
        }
        Path peer = Gcc.program("hostile_peer", "jipc_channel.c", "jipc_live.c");
        for (long size : new long[] {100, 4095}) {
            try (PosixSharedMemory shm = PosixSharedMemory.create(name, size)) {
                assertEquals(name + ": object size=" + size + " < header=4096",
                        assertThrows(ChannelFormatException.class, () -> SharedChannel.attach(name)).getMessage());
                Capture.Result c = Capture.run(Spawn.command(peer.toString(), "attach", name));
                assertEquals(3, c.status().code(), c.toString());
                assertTrue(c.out().endsWith(" segment smaller than the channel it holds\n"), c.out());
            } finally {
                SharedChannel.unlinkIfExists(name);
            }
        }
    }

    @Test
    void anEmptyObjectIsRefusedBeforeMapping() throws Exception {
        PosixSharedMemory.create(name, 1).close();
        // emptied by someone else (POSIX shared memory objects are files in /dev/shm on Linux)
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(Path.of("/dev/shm" + name),
                java.nio.file.StandardOpenOption.WRITE)) {
            file.truncate(0);
        }
        assertEquals(name + ": object size=0 < header=4096",
                assertThrows(ChannelFormatException.class, () -> SharedChannel.attach(name)).getMessage());
    }
}
