package jipc.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jipc.cli.Narrator;
import jipc.io.ReadEnd;

/** The child of {@code jipc demo pipe}: reads fd 3 until EOF and prints what it received. */
public final class PipeDemoChild {
    private PipeDemoChild() {
    }

    public static void main(String[] args) throws IOException {
        Narrator child = Narrator.child();
        try (ReadEnd in = ReadEnd.inherit(PipeDemo.CHILD_FD)) {
            child.say("started. My fd " + PipeDemo.CHILD_FD + " is the pipe's read end, placed by posix_spawn;"
                    + " reading it until EOF.");
            byte[] received = in.readAllBytes();
            if (received.length == 0) {
                child.say("read() returned EOF before any data: the writer closed without writing. Exiting with 1.");
                System.exit(1);
            }
            child.say("Child received: " + new String(received, StandardCharsets.UTF_8));
            child.say("read() returned EOF (0): every write end is closed. Closing fd " + PipeDemo.CHILD_FD
                    + " and exiting with code 0.");
        }
    }
}
