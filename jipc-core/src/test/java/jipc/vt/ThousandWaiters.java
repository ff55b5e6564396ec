package jipc.vt;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.channel.SharedChannel;
import jipc.fifo.Fifo;
import jipc.io.ReadEnd;
import jipc.pipe.Pipe;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.sync.Semaphore;
import jipc.sync.SemaphoreDescriptor;

/**
 * The child JVM of {@link ThousandVirtualThreadsTest}, run with two carriers: blocks 1 000 virtual threads at once in
 * jipc calls (690 pipe reads, 100 FIFO opens and reads, 100 channel takes, 100 semaphore acquires, 10 mutex locks),
 * shows that another virtual thread still runs, prints "ready" and jipc's thread counts, and after "go" on standard
 * input has a C process (write_fds) write each pipe; then checks each thread got exactly its data and prints "ok".
 *
 * <p>Arguments: PREFIX (shm names: PREFIX-chN, PREFIX-sem, PREFIX-mutex, all made by the parent), the FIFO
 * directory (FIFOs f0..f99 made by the parent) and the path of the compiled write_fds C program.
 */
public final class ThousandWaiters {
    private ThousandWaiters() {
    }

    static final int PIPES = 690;
    static final int FIFOS = 100;
    static final int CHANNELS = 100;
    static final int SEMAPHORES = 100;
    static final int LOCKERS = 10;

    public static void main(String[] args) throws Exception {
        String prefix = args[0];
        Path fifoDir = Path.of(args[1]);
        List<Pipe> pipes = new ArrayList<>();
        List<SharedChannel> channels = new ArrayList<>();
        try (PosixSharedMemory semShm = PosixSharedMemory.open(prefix + "-sem"); Mapping semMap = semShm.map();
             PosixSharedMemory mutexShm = PosixSharedMemory.open(prefix + "-mutex"); Mapping mutexMap = mutexShm.map();
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < PIPES; i++) {
                pipes.add(Pipe.open());
            }
            for (int i = 0; i < CHANNELS; i++) {
                channels.add(SharedChannel.attach(prefix + "-ch" + i));
            }
            MemorySegment sems = semMap.segment();
            Mutex mutex = Mutex.attach(mutexMap.segment(), 0);
            List<Future<String>> results = new ArrayList<>();
            for (Pipe pipe : pipes) {
                results.add(virtual.submit(() -> readSome(pipe.source())));
            }
            for (int i = 0; i < FIFOS; i++) {
                Fifo fifo = Fifo.at(fifoDir.resolve("f" + i));
                results.add(virtual.submit(() -> {
                    try (ReadEnd end = fifo.openRead()) {
                        return readSome(end);
                    }
                }));
            }
            for (SharedChannel channel : channels) {
                results.add(virtual.submit(() -> {
                    StringBuilder got = new StringBuilder();
                    channel.channel().take((type, payload) -> got.append(new String(
                            payload.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)));
                    return got.toString();
                }));
            }
            for (int i = 0; i < SEMAPHORES; i++) {
                Semaphore semaphore = Semaphore.attach(sems, i * SemaphoreDescriptor.LENGTH);
                int n = i;
                results.add(virtual.submit(() -> {
                    semaphore.acquire();
                    return "sem" + n;
                }));
            }
            for (int i = 0; i < LOCKERS; i++) {
                results.add(virtual.submit(() -> {
                    LockResult r = mutex.lock();
                    mutex.unlock();
                    return r.toString();
                }));
            }
            // All 1 000 at their waits: the pipe and FIFO readers parked on the poller, and the futex waits' 201 words
            // (100 channels, 100 semaphores, the mutex) watched at one instant (each leaves its word for a moment
            // between its 100 ms slices, so the count is looked at until it is complete).
            jipc.testing.Await.until(java.time.Duration.ofSeconds(120), "all 1 000 at their waits",
                    () -> jipc.io.FdPollerProbe.waiting() >= PIPES + FIFOS
                            && jipc.internal.FutexWaiters.watchedWords() >= CHANNELS + SEMAPHORES + 1);
            long ran = virtual.submit(() -> 42L).get(60, TimeUnit.SECONDS);
            System.out.println("ready " + ran + " " + jipcThreads());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"go".equals(in.readLine())) {
                throw new IllegalStateException("no go");
            }
            Spawn writer = Spawn.command(args[2], Integer.toString(PIPES)); // the C peer, write_fds
            for (int i = 0; i < PIPES; i++) {
                writer.fd(3 + i, pipes.get(i).sink());
            }
            if (!writer.start().waitFor().success()) {
                throw new IllegalStateException("the pipe writer failed");
            }
            int i = 0;
            for (; i < PIPES; i++) {
                expect(results.get(i), "p" + i);
            }
            for (int k = 0; k < FIFOS; k++, i++) {
                expect(results.get(i), "f" + k);
            }
            for (int k = 0; k < CHANNELS; k++, i++) {
                expect(results.get(i), "ch" + k);
            }
            for (int k = 0; k < SEMAPHORES; k++, i++) {
                expect(results.get(i), "sem" + k);
            }
            for (int k = 0; k < LOCKERS; k++, i++) {
                expect(results.get(i), "ACQUIRED");
            }
            System.out.println("ok " + jipcThreads());
        } finally {
            for (Pipe pipe : pipes) {
                pipe.close();
            }
            for (SharedChannel channel : channels) {
                channel.close();
            }
        }
    }

    private static String readSome(jipc.io.ReadEnd end) throws java.io.IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        int n = end.read(buffer);
        return n < 0 ? "EOF" : new String(buffer.array(), 0, n, StandardCharsets.UTF_8);
    }

    private static void expect(Future<String> result, String expected) throws Exception {
        String got = result.get(60, TimeUnit.SECONDS);
        if (!expected.equals(got)) {
            throw new IllegalStateException("expected " + expected + ", got " + got);
        }
    }

    /** "poller=P futex=F blocking=B": jipc's own threads by name. */
    static String jipcThreads() {
        int poller = 0;
        int futex = 0;
        int blocking = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.equals("jipc-fd-poller")) {
                poller++;
            } else if (name.startsWith("jipc-futex-waiter-")) {
                futex++;
            } else if (name.startsWith("jipc-blocking-")) {
                blocking++;
            }
        }
        return "poller=" + poller + " futex=" + futex + " blocking=" + blocking;
    }
}
