package jipc.cli.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;

import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Narrator;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.shm.Seal;
import jipc.sync.Semaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jipc demo sem}: the classic alternation of a writer and a reader over shared memory guarded by semaphores.
 * This process is the writer; the reader is a child JVM ({@link SemDemoChild}) that gets the memory as a memfd at
 * its fd 3. Two binary {@link Semaphore}s live in the memory with the message: "empty" (1: the writer's turn) and
 * "full" (1: the reader's turn). Each round the writer takes "empty", writes "message N from writer pid P" and gives
 * "full"; the reader takes "full", checks the message and gives "empty".
 *
 * <p>Nothing can be left behind: a memfd has no name and is freed when both processes have closed it or exited; the
 * reader is killed and reaped in a finally block and by a shutdown hook (Ctrl-C, SIGTERM).
 */
@Command(name = "sem", description = "A writer and a reader process take turns over shared memory, guarded by two "
        + "binary semaphores (futex words in the same memory): N messages, each checked by the reader.")
public final class SemDemo implements Callable<Integer> {
    /** The memory's size: one page holds both semaphores and the message. */
    static final long SIZE = 4096;
    /** Offset of the "empty" semaphore: 1 when the writer may write. */
    static final long EMPTY = 0;
    /** Offset of the "full" semaphore: 1 when the reader may read (the seed's one semaphore). */
    static final long FULL = 128;
    /** Offset of the message: a NUL-terminated UTF-8 string. */
    static final long MESSAGE = 256;
    /** How long one side waits for its turn before it decides the other side is gone. */
    static final Duration TURN_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = {"-n", "--rounds"}, paramLabel = "N", defaultValue = "5",
            description = "How many messages the writer sends, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int rounds = 5;

    /** The message of round {@code round}: the reader builds the same string to check what it read. */
    static String message(int round, long writerPid) {
        return "message " + round + " from writer pid " + writerPid;
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || rounds > 1000) {
            throw new IllegalArgumentException("--rounds=" + rounds + " must be 1 to 1000");
        }
        Narrator.title("== demo sem: a writer and a reader take turns over shared memory, guarded by semaphores ==");
        Narrator writer = Narrator.of("writer");
        long pid = ProcessHandle.current().pid();
        try (Memfd memfd = Memfd.createSealable("jipc-demo-sem", SIZE)) {
            memfd.addSeals(Seal.SHRINK, Seal.GROW, Seal.SEAL);
            writer.say("memfd_create(\"jipc-demo-sem\") made " + SIZE + " bytes of shared memory at my fd "
                            + memfd.fd().number() + ", sealed against shrinking and growing.",
                    "It has no name in the file system: the reader gets it as its fd 3, and nothing is left "
                            + "behind when we both exit.");
            try (Mapping mapping = memfd.map()) {
                Semaphore empty = Semaphore.createBinary(mapping.segment(), EMPTY, true);
                Semaphore full = Semaphore.createBinary(mapping.segment(), FULL, false);
                writer.say("mmap() mapped it; created two binary semaphores in it: 'empty' at offset " + EMPTY
                                + " (1: my turn to write) and 'full' at offset " + FULL + " (0: not the reader's turn).",
                        "The seed's protocol has one semaphore: the reader may read when it is 1 and sets it to 0;",
                        "the writer may write when it is 0 and sets it to 1. 'full' is that semaphore. But a "
                                + "semaphore's wait",
                        "only waits for a value above 0, so a writer waiting for 0 would have to poll. 'empty' is "
                                + "its complement:",
                        "the writer sleeps on it in the kernel (futex) until the reader gives the turn back. "
                                + "empty + full <= 1 always.");
                run(writer, memfd, mapping, empty, full, pid);
            }
        }
        writer.say("unmapped and closed the memfd: the kernel frees the memory now that no process holds it. Done.");
        return 0;
    }

    private void run(Narrator writer, Memfd memfd, Mapping mapping, Semaphore empty, Semaphore full, long pid)
            throws Exception {
        Spawn spawn = Spawn.java(SemDemoChild.class, Long.toString(pid), Integer.toString(rounds)).shareFd(3, memfd);
        try (ChildProcess reader = spawn.start()) {
            try (Demos.Cleanup _ = Demos.atExit("jipc-demo-sem-cleanup", () -> kill(reader))) {
                writer.say("posix_spawnp() started the reader, pid " + reader.pid() + " (a JVM running "
                        + SemDemoChild.class.getSimpleName() + "), with the memfd at its fd 3.");
                for (int round = 1; round <= rounds; round++) {
                    awaitTurn(writer, empty, "empty", reader);
                    String message = message(round, pid);
                    mapping.setString(MESSAGE, message);
                    writer.say("took 'empty' (1 -> 0); wrote \"" + message + "\" at offset " + MESSAGE
                            + "; releasing 'full' (0 -> 1): the reader's turn.");
                    full.release();
                }
                awaitTurn(writer, empty, "empty", reader);
                writer.say("took 'empty' once more: the reader has checked the last message.");
                Demos.awaitChild(writer, reader);
            }
        }
    }

    /** Takes {@code semaphore}, waiting in slices so that a reader that died fails the demo instead of hanging it. */
    private static void awaitTurn(Narrator writer, Semaphore semaphore, String name, ChildProcess reader)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TURN_TIMEOUT.toNanos();
        while (!semaphore.tryAcquire(Duration.ofMillis(200))) {
            if (!reader.isAlive()) {
                throw new Failure(ExitCodes.SOFTWARE, "the reader, pid " + reader.pid() + ", ended with "
                        + reader.exitStatus().map(Object::toString).orElse("?") + " before giving back '" + name
                        + "'");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new Failure(ExitCodes.SOFTWARE, "the reader, pid " + reader.pid() + ", did not give back '"
                        + name + "' within " + TURN_TIMEOUT.toSeconds() + " s");
            }
        }
    }

    private static void kill(ChildProcess reader) {
        try {
            reader.close();
        } catch (IOException e) {
            System.err.println("jipc demo sem: could not stop the reader, pid " + reader.pid() + ": "
                    + e.getMessage());
        }
    }
}
