package jipc.leak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jipc.ErrnoException;
import jipc.channel.ChannelFormatException;
import jipc.channel.ManyToOneChannel;
import jipc.channel.OneToOneChannel;
import jipc.channel.SharedChannel;
import jipc.rpc.RpcClient;
import jipc.rpc.RpcService;
import jipc.rpc.SharedRpc;
import jipc.fifo.Fifo;
import jipc.fifo.NotAFifoException;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;
import jipc.pipe.Duplex;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SysVSharedMemory;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.sync.NamedSemaphore;
import jipc.sync.Semaphore;
import jipc.sync.SharedSemaphore;
import jipc.sync.SysVSemaphoreSet;
import jipc.topic.OverflowPolicy;
import jipc.topic.SharedTopic;
import jipc.topic.TopicPublisher;
import jipc.topic.TopicSubscriber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creates, uses and closes every kind of jipc object {@value #CYCLES} times (child processes {@value #SPAWN_CYCLES}
 * times: starting {@code true} and waiting for it costs 5 to 30 ms here) and checks that nothing is left: no
 * descriptor, no shared mapping, no file in {@code /dev/shm}, no System V segment or semaphore set
 * ({@link Residue}). Twelve kinds of failing open and create ({@code ENOENT}, {@code EEXIST}, an object that holds no
 * channel or semaphore, a path that is no FIFO) run {@value #FAILING_CYCLES} times each, failing spawns
 * {@value #SPAWN_CYCLES} times, and must leave nothing either.
 *
 * <p>The snapshot after the loop is taken at once, with no garbage collection in between: the objects' own
 * {@code close()} must free everything, not a cleaner. Each loop runs a short warm-up first so that class loading
 * and the JDK's lazily opened files fall outside the measured window. Each test prints its time per cycle.
 */
@Timeout(120)
class LeakTest {
    static final int CYCLES = 10_000;
    /** A spawn and wait of {@code true} costs 5 to 30 ms on a busy two-core machine. */
    static final int SPAWN_CYCLES = 300;
    /** Cycles of the failing-operations loop, each running every one of its 12 failing calls once. */
    static final int FAILING_CYCLES = 2_000;
    private static final int WARMUP = 100;
    private static final long PID = ProcessHandle.current().pid();
    /** Every POSIX name made here starts with this (in /dev/shm without the slash, and after "sem." for semaphores). */
    private static final String PREFIX = "jipc-leak-" + PID + "-";
    /** System V keys: 0x4C ('L'), 16 bits of the pid, a counter. */
    private static final int KEY_BASE = 0x4C00_0000 | (int) ((PID & 0xFFFF) << 8);

    /** System V semaphore sets made by the loops: /proc/sysvipc/sem names no creator. */
    private final Set<Integer> semIds = new HashSet<>();
    @TempDir
    Path dir;

    @FunctionalInterface
    interface Cycle {
        void run(int i) throws Exception;
    }

    private static final List<String> TIMES = new ArrayList<>();

    @AfterAll
    static void printTimes() {
        System.out.println("LeakTest times: " + String.join("; ", TIMES));
    }

    /** Runs {@code cycle} WARMUP times, then {@code cycles} times between two snapshots that must not differ. */
    private void assertLeavesNothing(String what, int cycles, Cycle cycle) throws Exception {
        for (int i = 0; i < Math.min(WARMUP, cycles / 10); i++) {
            cycle.run(i);
        }
        Residue before = Residue.take(PREFIX);
        long start = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            cycle.run(i);
        }
        long nanos = System.nanoTime() - start;
        Residue after = Residue.take(PREFIX);
        TIMES.add(String.format(Locale.ROOT, "%s %d x %.1f us", what, cycles, nanos / 1e3 / cycles));
        List<String> leaks = before.leakedIn(after, semIds);
        assertEquals(List.of(), leaks.subList(0, Math.min(20, leaks.size())), what + ": " + cycles
                + " cycles left " + leaks.size() + " thing(s) behind (maps lines " + before.mapsLines() + " -> "
                + after.mapsLines() + ")");
    }

    private static String name(String what) {
        return "/" + PREFIX + what;
    }

    private static void roundTrip(WriteEnd out, ReadEnd in, int i) throws IOException {
        ByteBuffer data = ByteBuffer.allocateDirect(4).putInt(0, i);
        assertEquals(4, out.write(data));
        ByteBuffer got = ByteBuffer.allocateDirect(4);
        assertEquals(4, in.read(got));
        assertEquals(i, got.getInt(0));
    }

    @Test
    void pipe() throws Exception {
        assertLeavesNothing("Pipe", CYCLES, i -> {
            try (Pipe pipe = Pipe.open()) {
                roundTrip(pipe.sink(), pipe.source(), i);
            }
        });
    }

    @Test
    void virtualThreadWaits() throws Exception {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            java.lang.foreign.MemorySegment word = arena.allocate(4, 4);
            assertLeavesNothing("virtual-thread pipe read, futex wait", CYCLES, i -> {
                try (Pipe pipe = Pipe.open()) {
                    int[] got = {-1};
                    Thread reader = Thread.ofVirtual().start(() -> {
                        try {
                            ByteBuffer in = ByteBuffer.allocateDirect(4);
                            pipe.source().readFully(in);
                            got[0] = in.getInt(0);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    if (i % 2 == 0) {
                        Thread.yield(); // sometimes the reader parks first, sometimes the data is there first
                    }
                    assertEquals(4, pipe.sink().write(ByteBuffer.allocateDirect(4).putInt(0, i)));
                    reader.join();
                    assertEquals(i, got[0]);
                }
                // a parked futex wait that times out: registered with a waiter thread, then cancelled
                Thread.ofVirtual().start(() -> jipc.internal.FutexWaiters.await(word, 0, 2_000)).join();
            });
        }
        assertEquals(0, jipc.io.FdPollerProbe.waiting(), "threads still registered with the fd poller");
        assertEquals(0, jipc.internal.FutexWaiters.watchedWords(), "words still watched by futex waiters");
    }

    @Test
    void duplex() throws Exception {
        assertLeavesNothing("Duplex", CYCLES, i -> {
            try (Duplex duplex = Duplex.open()) {
                roundTrip(duplex.local().out(), duplex.remote().in(), i);
                roundTrip(duplex.remote().out(), duplex.local().in(), i);
            }
        });
    }

    @Test
    void fifo() throws Exception {
        Path path = dir.resolve("fifo");
        assertLeavesNothing("Fifo", CYCLES, i -> {
            Fifo fifo = Fifo.create(path);
            try (ReadEnd in = fifo.openReadNonBlocking(); WriteEnd out = fifo.openWrite()) {
                in.setBlocking(true);
                roundTrip(out, in, i);
            } finally {
                fifo.unlink();
            }
        });
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void posixSharedMemory() throws Exception {
        String name = name("posix");
        assertLeavesNothing("PosixSharedMemory", CYCLES, i -> {
            try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096); Mapping mapping = shm.map()) {
                mapping.setIntRelease(0, i);
                assertEquals(i, mapping.getIntAcquire(0));
                shm.unlink();
            }
        });
    }

    @Test
    void sysVSharedMemory() throws Exception {
        int key = KEY_BASE | 1;
        assertLeavesNothing("SysVSharedMemory", CYCLES, i -> {
            try (SysVSharedMemory shm = i % 2 == 0 ? SysVSharedMemory.create(key, 4096)
                    : SysVSharedMemory.createPrivate(4096)) {
                try (Mapping mapping = shm.map()) {
                    mapping.setIntRelease(0, i);
                    assertEquals(i, mapping.getIntAcquire(0));
                }
                shm.remove();
            }
        });
    }

    @Test
    void memfd() throws Exception {
        assertLeavesNothing("Memfd", CYCLES, i -> {
            try (Memfd memfd = Memfd.create("jipc-leak", 4096); Mapping mapping = memfd.map()) {
                mapping.setIntRelease(0, i);
                assertEquals(i, mapping.getIntAcquire(0));
            }
        });
    }

    @Test
    void sharedSemaphore() throws Exception {
        String name = name("sharedsem");
        assertLeavesNothing("SharedSemaphore", CYCLES, i -> {
            try (SharedSemaphore created = SharedSemaphore.create(name, 0);
                 SharedSemaphore opened = SharedSemaphore.open(name)) {
                opened.semaphore().release();
                assertTrue(created.semaphore().tryAcquire());
                created.unlink();
            }
        });
    }

    @Test
    void semaphoreAndMutexOnAMapping() throws Exception {
        assertLeavesNothing("Semaphore+Mutex on a memfd mapping", CYCLES, i -> {
            try (Memfd memfd = Memfd.create("jipc-leak-sync", 4096); Mapping mapping = memfd.map()) {
                MemorySegment memory = mapping.segment();
                Semaphore semaphore = Semaphore.create(memory, 0, 1);
                assertTrue(semaphore.tryAcquire());
                assertFalse(Semaphore.attach(memory, 0).tryAcquire());
                semaphore.release();
                Mutex mutex = Mutex.create(memory, 128);
                assertEquals(LockResult.ACQUIRED, mutex.tryLock());
                Mutex.attach(memory, 128);
                mutex.unlock();
            }
        });
    }

    @Test
    void namedSemaphore() throws Exception {
        String name = name("named");
        assertLeavesNothing("NamedSemaphore", CYCLES, i -> {
            try (NamedSemaphore created = NamedSemaphore.create(name, 0);
                 NamedSemaphore opened = NamedSemaphore.open(name)) {
                opened.post();
                assertTrue(created.tryAcquire());
                NamedSemaphore.unlink(name);
            }
        });
    }

    @Test
    void sysVSemaphoreSet() throws Exception {
        int key = KEY_BASE | 2;
        assertLeavesNothing("SysVSemaphoreSet", CYCLES, i -> {
            try (SysVSemaphoreSet set = i % 2 == 0 ? SysVSemaphoreSet.create(key, 2)
                    : SysVSemaphoreSet.createPrivate(2)) {
                semIds.add(set.id());
                try (SysVSemaphoreSet same = SysVSemaphoreSet.ofId(set.id())) {
                    same.release(1);
                }
                assertTrue(set.tryAcquire(1));
                set.remove();
            }
        });
    }

    @Test
    void oneProducerSharedChannel() throws Exception {
        String name = name("channel1");
        byte[] payload = new byte[16];
        assertLeavesNothing("SharedChannel one producer", CYCLES, i -> {
            try (SharedChannel consumer = SharedChannel.create(name, 1024, 64);
                 SharedChannel producer = SharedChannel.attach(name)) {
                OneToOneChannel in = consumer.channel().registerConsumer();
                assertTrue(producer.channel().offer(1, payload, 0, payload.length));
                assertEquals(1, in.poll((type, message) -> { }));
                consumer.unlink();
            }
        });
    }

    @Test
    void manyProducerSharedChannel() throws Exception {
        String name = name("channelN");
        byte[] payload = new byte[16];
        assertLeavesNothing("SharedChannel many producers", CYCLES, i -> {
            try (SharedChannel consumer = SharedChannel.createManyToOne(name, 1024, 64);
                 SharedChannel first = SharedChannel.attach(name);
                 SharedChannel second = SharedChannel.attach(name)) {
                ManyToOneChannel in = consumer.manyToOne().registerConsumer();
                assertTrue(first.manyToOne().offer(1, payload, 0, payload.length));
                assertTrue(second.manyToOne().offer(2, payload, 0, payload.length));
                assertEquals(2, in.poll((type, message) -> { }));
                consumer.unlink();
            }
        });
    }

    @Test
    void sharedTopic() throws Exception {
        String name = name("topic");
        MemorySegment payload = MemorySegment.ofArray(new byte[16]);
        assertLeavesNothing("SharedTopic", CYCLES, i -> {
            try (SharedTopic created = SharedTopic.create(name, 1024, 64, i % 2 == 0 ? OverflowPolicy.BLOCK
                    : OverflowPolicy.OVERWRITE);
                 SharedTopic attached = SharedTopic.attach(name);
                 TopicSubscriber sub = attached.topic().subscribe();
                 TopicPublisher pub = created.topic().publisher()) {
                assertTrue(pub.offer(1, payload));
                assertEquals(1, sub.poll((type, message) -> { }, 10));
                created.unlink();
            }
        });
    }

    @Test
    void sharedRpc() throws Exception {
        String name = name("rpc");
        byte[] request = new byte[16];
        assertLeavesNothing("SharedRpc create, service, attach, client, one call", CYCLES / 5, i -> {
            try (SharedRpc rpc = SharedRpc.create(name, 2, 1024, 1024);
                 RpcService service = rpc.service();
                 SharedRpc other = SharedRpc.attach(name);
                 RpcClient client = other.client()) {
                Thread served = Thread.ofVirtual().start(() -> {
                    try {
                        service.poll((type, r, responder) -> responder.respond(type, new byte[] {(byte) i}), 1,
                                Duration.ofSeconds(30));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertEquals(1, client.call(1, request, Duration.ofSeconds(30)).length);
                served.join();
                rpc.unlink();
            }
        });
    }

    @Test
    void childProcesses() throws Exception {
        assertLeavesNothing("ChildProcess/Spawn", SPAWN_CYCLES, i -> {
            try (Pipe pipe = Pipe.open();
                 ChildProcess child = Spawn.command("true").fd(3, pipe.source()).nullFd(0).start()) {
                assertTrue(child.waitFor(Duration.ofSeconds(30)).orElseThrow().success());
            }
        });
        // A child that is still running when its handle closes is killed and reaped by close().
        assertLeavesNothing("ChildProcess closed while running", SPAWN_CYCLES / 10, i -> {
            try (ChildProcess child = Spawn.command("sleep", "30").start()) {
                assertTrue(child.isAlive());
            }
        });
    }

    @Test
    void failingOpensAndCreates() throws Exception {
        String existing = name("existing");
        int existingKey = KEY_BASE | 3;
        Path regularFile = Files.writeString(dir.resolve("plain"), "not a fifo");
        Path fifoPath = dir.resolve("fifo");
        try (PosixSharedMemory zeros = PosixSharedMemory.create(existing, 8192);
             SysVSharedMemory segment = SysVSharedMemory.create(existingKey, 4096);
             SysVSemaphoreSet set = SysVSemaphoreSet.create(existingKey, 1)) {
            Fifo fifo = Fifo.create(fifoPath);
            try {
                assertLeavesNothing("failing opens and creates (x 14 each cycle)", FAILING_CYCLES, i -> {
                    assertThrows(ErrnoException.class, () -> PosixSharedMemory.open(name("missing")));
                    assertThrows(ErrnoException.class, () -> PosixSharedMemory.create(existing, 4096));
                    assertThrows(ErrnoException.class, () -> SysVSharedMemory.open(KEY_BASE | 4));
                    assertThrows(ErrnoException.class, () -> SysVSharedMemory.create(existingKey, 4096));
                    assertThrows(ErrnoException.class, () -> SysVSemaphoreSet.open(KEY_BASE | 4));
                    assertThrows(ErrnoException.class, () -> SysVSemaphoreSet.create(existingKey, 1));
                    assertThrows(ErrnoException.class, () -> NamedSemaphore.open(name("missing")));
                    // These fail after the object is opened and mapped: the mapping and descriptor must go too.
                    assertThrows(ChannelFormatException.class, () -> SharedChannel.attach(existing));
                    assertThrows(IllegalArgumentException.class, () -> SharedSemaphore.open(existing));
                    assertThrows(ErrnoException.class, () -> SharedChannel.create(existing, 1024, 64));
                    assertThrows(ChannelFormatException.class, () -> SharedRpc.attach(existing));
                    assertThrows(ErrnoException.class, () -> SharedRpc.create(existing, 1, 1024, 1024));
                    assertThrows(NotAFifoException.class, () -> Fifo.at(regularFile));
                    assertThrows(ErrnoException.class, () -> Fifo.create(fifoPath));
                });
                assertLeavesNothing("failing spawns", SPAWN_CYCLES, i -> {
                    try (Pipe pipe = Pipe.open()) {
                        assertThrows(ErrnoException.class,
                                () -> Spawn.command("jipc-no-such-program").fd(3, pipe.source()).start());
                    }
                });
            } finally {
                fifo.unlink();
                zeros.unlink();
                segment.remove();
                set.remove();
            }
        }
    }

    /** The loop check itself: a cycle that keeps a pipe open fails it, counting both ends of every pipe. */
    @Test
    void aLoopThatLeavesAPipeOpenFails() throws Exception {
        List<Pipe> kept = new ArrayList<>();
        try {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> assertLeavesNothing("leaky", 20, i -> kept.add(Pipe.open())));
            assertTrue(e.getMessage().startsWith("leaky: 20 cycles left 41 thing(s) behind"), e.getMessage());
        } finally {
            kept.forEach(Pipe::close);
        }
    }

    /** The detector itself: a loop that leaves one of each thing behind is caught, thing by thing. */
    @Test
    void residueSeesWhatALoopLeaves() throws Exception {
        Residue before = Residue.take(PREFIX);
        Pipe pipe = Pipe.open();
        Memfd memfd = Memfd.create("jipc-leak-detector", 4096);
        Mapping mapping = memfd.map();
        PosixSharedMemory posix = PosixSharedMemory.create(name("detector"), 4096);
        SysVSharedMemory sysv = SysVSharedMemory.createPrivate(4096);
        SysVSemaphoreSet set = SysVSemaphoreSet.createPrivate(1);
        semIds.add(set.id());
        try {
            List<String> leaks = before.leakedIn(Residue.take(PREFIX), semIds);
            String all = String.join("\n", leaks);
            assertTrue(leaks.stream().anyMatch(l -> l.contains("pipe:")), all);
            assertTrue(leaks.stream().anyMatch(l -> l.contains("/memfd:jipc-leak-detector")), all);
            assertTrue(leaks.stream().anyMatch(l -> l.startsWith("shared mappings:")), all);
            assertTrue(leaks.contains("/dev/shm/" + PREFIX + "detector"), all);
            assertTrue(leaks.contains("System V segment id " + sysv.id()), all);
            assertTrue(leaks.contains("System V semaphore set id " + set.id()), all);
        } finally {
            set.remove();
            sysv.remove();
            sysv.close();
            posix.unlink();
            posix.close();
            mapping.close();
            memfd.close();
            pipe.close();
        }
        assertEquals(List.of(), before.leakedIn(Residue.take(PREFIX), semIds));
    }
}
