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
        // Should the parent die before it opens the FIFO, the blocking open below would wait forever: leave instead.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("[child] the parent has gone; exiting");
            Runtime.getRuntime().halt(69);
        }));
        Path path = Path.of(args[0]);
        child.say("started with argument " + path + ". Opening it for reading; open() blocks until a writer comes.");
        try (ReadEnd in = Fifo.at(path).openRead()) {
            int fd = in.fd().number();
            child.say("open() returned fd " + fd + ". Reading until EOF.");
            byte[] received = in.readAllBytes();
            child.say("Child received: " + new String(received, StandardCharsets.UTF_8));
            child.say("read() returned EOF (0): the writer closed its end. Closing fd " + fd
                    + " and exiting with code 0.");
        }
    }
}
