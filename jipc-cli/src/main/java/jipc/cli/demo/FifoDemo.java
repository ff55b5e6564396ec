package jipc.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Narrator;
import jipc.fifo.Fifo;
import jipc.io.WriteEnd;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import picocli.CommandLine.Command;

/**
 * {@code jipc demo fifo}: the pipe demo between two processes that share nothing but a name in the file system.
 * The FIFO lives in a private temporary directory (0700) and is removed at the end, also when the demo fails.
 * The child is {@link FifoDemoChild} in a fresh JVM; it gets the FIFO's path as its only argument.
 */
@Command(name = "fifo", description = "Two unrelated processes exchange \"Hello from parent\" through a named pipe.")
public final class FifoDemo implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Narrator.title("== demo fifo: two unrelated processes, one named pipe ==");
        Narrator parent = Narrator.parent();
        Path directory = Files.createTempDirectory("jipc-demo-");
        Path path = directory.resolve("hello.fifo");
        try (Demos.Cleanup _ = Demos.atExit("jipc-demo-fifo-cleanup", () -> remove(path, directory))) {
            Fifo fifo = Fifo.create(path);
            parent.say("mkfifo() created " + path + " (mode 0600, in a directory only I can enter).",
                    "A FIFO is a name for a pipe: the kernel holds no data until both sides have opened it.");
            try (ChildProcess child = Spawn.java(FifoDemoChild.class, path.toString()).start()) {
                parent.say("posix_spawnp() started child pid " + child.pid() + " with the path as its only argument:",
                        "no descriptor is shared; the two processes meet through the name alone.");
                parent.say("opening the FIFO for writing. open() blocks until some process opens it for reading...");
                try (WriteEnd out = openWriteWhileChildLives(fifo, child)) {
                    int fd = out.fd().number();
                    parent.say("open() returned fd " + fd + ": a reader has arrived.");
                    byte[] message = PipeDemo.MESSAGE.getBytes(StandardCharsets.UTF_8);
                    out.writeFully(message);
                    parent.say("wrote \"" + PipeDemo.MESSAGE + "\" (" + message.length + " bytes) to fd " + fd + ".");
                    out.close();
                    parent.say("closed fd " + fd + ": I was the only writer, so the child will see EOF after the "
                            + "message.");
                }
                Demos.awaitChild(parent, child);
            }
        }
        if (Files.notExists(directory)) {
            parent.say("unlinked " + path + " and removed its directory. Done.");
        }
        return 0;
    }

    /** Unlinks the FIFO and its private directory; at exit too, so it reports a failure instead of throwing. */
    private static void remove(Path fifo, Path directory) {
        try {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            System.err.println("jipc demo fifo: could not remove " + fifo + ": " + e.getMessage());
        }
    }

    /**
     * A blocking open for writing, as in the classic demo, made safe: if the child dies before it opens the FIFO
     * for reading, a watcher opens it for reading itself (non-blocking), which releases this blocked open, and the
     * child's failure is reported instead of a hang.
     */
    private static WriteEnd openWriteWhileChildLives(Fifo fifo, ChildProcess child)
            throws IOException, InterruptedException {
        Thread watcher = Thread.ofPlatform().daemon().name("fifo-demo-watcher").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (child.waitFor(Duration.ofMillis(100)).isPresent()) {
                        fifo.openReadNonBlocking().close(); // the child is gone: let the blocked open return
                        return;
                    }
                }
            } catch (IOException e) {
                // Interrupted (the open returned) or the FIFO vanished: nothing left to release.
            }
        });
        WriteEnd out;
        try {
            out = fifo.openWrite();
        } finally {
            watcher.interrupt();
            watcher.join();
        }
        if (child.exitStatus().isPresent()) {
            out.close();
            throw new Failure(ExitCodes.SOFTWARE, "child pid " + child.pid() + " ended ("
                    + child.exitStatus().get() + ") before it opened the FIFO");
        }
        return out;
    }
}
