package jipc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jipc.ErrnoException;
import jipc.internal.Constants;
import jipc.pipe.Pipe;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Kernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class FdTest {
    private static final int THREADS = 8;

    @Test
    void closeIsIdempotentAndNeverClosesAReusedNumber() throws Exception {
        Pipe pipe = Pipe.open();
        Fd fd = pipe.source().fd();
        int number = fd.number();
        assertTrue(Kernel.isOpen(number));

        fd.close();
        assertFalse(fd.isOpen());
        assertFalse(Kernel.isOpen(number), "fd " + number + " is still open after close()");

        try (Pipe reuse = Pipe.open()) { // pipe2 takes the lowest free numbers: very likely ours again
            int reused = reuse.source().fd().number();
            assumeTrue(reused == number, "the kernel gave fd " + reused + " instead of the freed " + number);
            String target = Kernel.target(reused);
            fd.close();
            fd.close();
            pipe.close();
            assertEquals(target, Kernel.target(reused), "a second close() closed the number's next owner");
        }
    }

    @Test
    void concurrentCloseWaitsForTheOperationInFlightAndReleasesTheNumberOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            try (Pipe pipe = Pipe.open()) {
                Fd fd = pipe.source().fd();
                int number = fd.acquire(); // an operation in flight: close() must not release the number yet
                runTogether(fd::close);
                assertFalse(fd.isOpen());
                assertTrue(Kernel.isOpen(number), "fd " + number + " was released under an operation in flight");
                assertThrows(ClosedChannelException.class, fd::acquire);

                fd.release();
                assertFalse(Kernel.isOpen(number), "fd " + number + " still open after the last operation ended");

                try (Pipe reuse = Pipe.open()) {
                    List<String> targets = List.of(Kernel.target(reuse.source().fd().number()),
                            Kernel.target(reuse.sink().fd().number()));
                    runTogether(fd::close);
                    assertEquals(targets, List.of(Kernel.target(reuse.source().fd().number()),
                            Kernel.target(reuse.sink().fd().number())), "close() after release touched new fds");
                }
            }
        }
    }

    @Test
    void closeRacingWithOperationsNeverClosesANumberTwice() throws Exception {
        // Threads hammer one fd with operations and closes while another thread opens pipes as fast as it can,
        // so that a number closed too early or twice would land on (and close) one of its pipes.
        for (int round = 0; round < 20; round++) {
            Pipe victim = Pipe.open(true);
            Fd fd = victim.source().fd();
            AtomicBoolean racing = new AtomicBoolean(true);
            ConcurrentLinkedQueue<Pipe> grabbed = new ConcurrentLinkedQueue<>();
            Thread grabber = Thread.ofPlatform().start(() -> {
                try {
                    while (racing.get() && grabbed.size() < 50) {
                        grabbed.add(Pipe.open());
                    }
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            try {
                runTogether(() -> {
                    for (int i = 0; i < 200; i++) {
                        try {
                            fd.available();
                        } catch (ClosedChannelException e) {
                            break;
                        }
                    }
                    fd.close();
                });
                racing.set(false);
                grabber.join();
                victim.close();
                for (Pipe p : grabbed) {
                    for (Fd end : List.of(p.source().fd(), p.sink().fd())) {
                        assertTrue(Kernel.isOpen(end.number()), "fd " + end.number() + " closed by someone else");
                        assertTrue(end.stat().isFifo());
                    }
                }
            } finally {
                racing.set(false);
                grabber.join();
                victim.close();
                grabbed.forEach(Pipe::close);
            }
        }
    }

    @Test
    void operationsAfterCloseThrowClosedChannelException() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Fd fd = pipe.sink().fd();
            fd.close();
            ByteBuffer buffer = ByteBuffer.allocate(4);
            List<Executable> operations = List.of(
                    () -> fd.write(buffer),
                    () -> fd.write(MemorySegment.ofArray(new byte[4])),
                    () -> fd.read(ByteBuffer.allocate(4)),
                    () -> fd.read(MemorySegment.ofArray(new byte[4])),
                    () -> fd.setBlocking(false),
                    fd::isBlocking,
                    () -> fd.awaitReadable(Duration.ZERO),
                    () -> fd.awaitWritable(Duration.ZERO),
                    fd::duplicate,
                    fd::available,
                    fd::stat,
                    () -> fd.fcntl(Constants.F_GETFL, 0, "F_GETFL"),
                    fd::acquire,
                    pipe.sink()::pipeCapacity,
                    () -> pipe.sink().outputStream().write(1));
            for (Executable operation : operations) {
                assertThrows(ClosedChannelException.class, operation);
            }
            assertEquals("Fd[" + fd.number() + ", closed]", fd.toString());
        }
    }

    @Test
    void heapAndDirectByteBuffersMoveBytesFromTheirPosition() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            ByteBuffer heap = ByteBuffer.wrap("xxABCyy".getBytes(StandardCharsets.US_ASCII)).position(2).limit(5);
            assertEquals(3, pipe.sink().write(heap));
            assertEquals(5, heap.position());
            ByteBuffer direct = ByteBuffer.allocateDirect(3).put("DEF".getBytes(StandardCharsets.US_ASCII)).flip();
            assertEquals(3, pipe.sink().write(direct));
            assertFalse(direct.hasRemaining());

            ByteBuffer into = ByteBuffer.allocate(10).position(4);
            assertEquals(3, pipe.source().read(into.limit(7)));
            assertEquals(7, into.position());
            assertEquals("ABC", new String(into.array(), 4, 3, StandardCharsets.US_ASCII));
            ByteBuffer intoDirect = ByteBuffer.allocateDirect(8).position(1);
            assertEquals(3, pipe.source().read(intoDirect));
            assertEquals(4, intoDirect.position());
            byte[] got = new byte[3];
            intoDirect.get(1, got);
            assertEquals("DEF", new String(got, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void heapAndNativeSegmentsMoveBytes() throws Exception {
        try (Pipe pipe = Pipe.open(); Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSrc = arena.allocateFrom("native", StandardCharsets.US_ASCII); // with a NUL
            assertEquals(7, pipe.sink().write(nativeSrc));
            assertEquals(4, pipe.sink().write(MemorySegment.ofArray("heap".getBytes(StandardCharsets.US_ASCII))));
            assertEquals(2, pipe.sink().write(MemorySegment.ofArray(new int[] {0x01020304}).asSlice(1, 2)));

            MemorySegment nativeDst = arena.allocate(7);
            assertEquals(7, pipe.source().read(nativeDst));
            assertEquals("native", nativeDst.getString(0, StandardCharsets.US_ASCII));
            byte[] heapBytes = new byte[6];
            assertEquals(6, pipe.source().read(MemorySegment.ofArray(heapBytes)));
            assertArrayEquals(new byte[] {'h', 'e', 'a', 'p', 0x03, 0x02}, heapBytes); // little-endian int slice
        }
    }

    @Test
    void largeHeapTransfersArriveWhole() throws Exception {
        byte[] data = new byte[300_000]; // several times the 64 KiB heap staging buffer
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + i / 1000);
        }
        try (Pipe pipe = Pipe.open()) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    pipe.sink().writeFully(data);
                    pipe.sink().close();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment all = arena.allocate(data.length + 1);
                long got = 0;
                for (;;) {
                    int n = pipe.source().read(all.asSlice(got));
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
                writer.join();
                assertEquals(data.length, got);
                assertArrayEquals(data, all.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void readIntoReadOnlyMemoryIsRejected() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.sink().writeFully("data".getBytes(StandardCharsets.US_ASCII));
            MemorySegment readOnly = MemorySegment.ofArray(new byte[4]).asReadOnly();
            assertThrows(IllegalArgumentException.class, () -> pipe.source().read(readOnly));
            assertThrows(IllegalArgumentException.class,
                    () -> pipe.source().read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
            assertEquals(4, pipe.source().available(), "a rejected read must not consume data");
            // writing from read-only memory is fine
            assertEquals(2, pipe.sink().write(MemorySegment.ofArray(new byte[] {1, 2}).asReadOnly()));
            assertEquals(1, pipe.sink().write(ByteBuffer.wrap(new byte[] {3}).asReadOnlyBuffer()));
            assertEquals(7, pipe.source().available());
        }
    }

    @Test
    void aWaitWithoutLimitEndsWithInterruptedIOExceptionWhenTheThreadIsInterrupted() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Future<Boolean> waiter = Background.call("waiter", () -> pipe.source().awaitReadable(null));
            Await.until(Duration.ofSeconds(20), "the waiter to start waiting", () -> threadIn("waiter", "await"));
            Thread waiting = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("waiter")).findFirst().orElseThrow();
            waiting.interrupt();
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(20, TimeUnit.SECONDS));
            assertInstanceOf(InterruptedIOException.class, e.getCause());
            assertTrue(pipe.source().isOpen(), "an interrupted wait does not close the descriptor");
        }
    }

    private static boolean threadIn(String threadName, String method) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals(threadName))
                .flatMap(e -> java.util.Arrays.stream(e.getValue()))
                .anyMatch(f -> f.getClassName().equals(Fd.class.getName()) && f.getMethodName().equals(method));
    }

    @Test
    void adoptingANumberThatIsNotOpenIsEbadfNamingFcntlAndTheFd() throws Exception {
        int closedNumber;
        try (Pipe pipe = Pipe.open()) {
            closedNumber = pipe.sink().fd().number();
        }
        for (int number : new int[] {closedNumber, 1_000_000}) {
            if (number == closedNumber && Kernel.isOpen(number)) {
                continue; // someone reused it meanwhile
            }
            ErrnoException e = assertThrows(ErrnoException.class, () -> Fd.adopt(number));
            assertEquals("EBADF", e.errnoName());
            assertEquals(9, e.errno());
            assertEquals("fcntl", e.syscall());
            assertTrue(e.getMessage().startsWith("fcntl(fd " + number + ", F_GETFD) failed: EBADF"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Fd.adopt(-1));
    }

    @Test
    void inheritMarksTheDescriptorCloseOnExec() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Fd copy = pipe.source().fd().duplicate();
            copy.fcntl(Constants.F_SETFD, 0, "F_SETFD, 0"); // as a parent's placed fd arrives: no FD_CLOEXEC
            assertEquals(0, copy.fcntl(Constants.F_GETFD, 0, "F_GETFD"));
            try (Fd inherited = Fd.inherit(copy.number())) { // takes over the same number
                assertEquals(Constants.FD_CLOEXEC, inherited.fcntl(Constants.F_GETFD, 0, "F_GETFD"));
            }
            assertFalse(Kernel.isOpen(copy.number()));
        }
    }

    @Test
    void duplicateIsAnIndependentlyOwnedCloseOnExecDescriptor() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Fd copy = pipe.sink().fd().duplicateAtLeast(100);
            try {
                assertTrue(copy.number() >= 100);
                assertEquals(Constants.FD_CLOEXEC, copy.fcntl(Constants.F_GETFD, 0, "F_GETFD"));
                pipe.sink().close();
                copy.write(ByteBuffer.wrap(new byte[] {42}));
            } finally {
                copy.close();
            }
            ByteBuffer one = ByteBuffer.allocate(2);
            assertEquals(1, pipe.source().read(one));
            assertEquals(-1, pipe.source().read(one), "EOF once the duplicate, the last writer, closed");
        }
    }

    private static void runTogether(Executable action) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    action.execute();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " thread(s) failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
