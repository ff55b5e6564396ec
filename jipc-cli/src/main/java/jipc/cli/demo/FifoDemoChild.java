package jipc.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import jipc.cli.Narrator;
import jipc.fifo.Fifo;
import jipc.io.ReadEnd;

/** The child of {@code jipc demo fifo}: opens the FIFO named by its argument, reads until EOF, prints the message. */
public final class FifoDemoChild {
    private FifoDemoChild() {
    }

    public static void main(String[] args) throws IOException {
        Narrator child = Narrator.child();
        leaveWhenOrphaned();
        Path path = Path.of(args[0]);
        child.say("started with argument " + path + ". Opening it for reading; open() blocks until a writer comes.");
        try (ReadEnd in = Fifo.at(path).openRead()) {
            int fd = in.fd().number();
            child.say("open() returned fd " + fd + ". Reading until EOF.");
            byte[] received = in.readAllBytes();
            if (received.length == 0) {
                child.say("read() returned EOF before any data: the writer closed without writing. Exiting with 1.");
                System.exit(1);
            }
            child.say("Child received: " + new String(received, StandardCharsets.UTF_8));
            child.say("read() returned EOF (0): the writer closed its end. Closing fd " + fd
                    + " and exiting with code 0.");
        }
    }

    /**
     * Should the parent die before it opens the FIFO, the blocking open would wait forever: a watcher exits instead
     * once this process has been re-parented (which the kernel does at once when the parent dies).
     */
    private static void leaveWhenOrphaned() {
        long parent = parentPid();
        Thread.ofPlatform().daemon().name("orphan-watcher").start(() -> {
            while (parentPid() == parent) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("[child pid " + ProcessHandle.current().pid() + "] my parent has gone; exiting");
            Runtime.getRuntime().halt(69);
        });
    }

    private static long parentPid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }
}
