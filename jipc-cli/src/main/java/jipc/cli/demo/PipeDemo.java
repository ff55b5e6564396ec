package jipc.cli.demo;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import jipc.cli.Narrator;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import picocli.CommandLine.Command;

/**
 * {@code jipc demo pipe}: a parent writes "Hello from parent" to a child through an anonymous pipe, as in the classic
 * {@code pipe(); fork();} example, but with {@code posix_spawnp} instead of {@code fork}. The child is
 * {@link PipeDemoChild} in a fresh JVM.
 */
@Command(name = "pipe", description = "A parent sends \"Hello from parent\" to its child through an anonymous pipe.")
public final class PipeDemo implements Callable<Integer> {
    static final String MESSAGE = "Hello from parent";
    /** The fd number at which the child finds the read end. */
    static final int CHILD_FD = 3;

    @Override
    public Integer call() throws Exception {
        Narrator.title("== demo pipe: parent -> child through an anonymous pipe ==");
        Narrator parent = Narrator.parent();
        byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);
        try (Pipe pipe = Pipe.open()) {
            int readFd = pipe.source().fd().number();
            int writeFd = pipe.sink().fd().number();
            parent.say("pipe2() created a pipe: read end fd " + readFd + ", write end fd " + writeFd
                            + ", capacity " + pipe.capacity() + " bytes.",
                    "Both ends are O_CLOEXEC: no child gets them unless it is given them on purpose.");
            try (ChildProcess child = Spawn.java(PipeDemoChild.class).fd(CHILD_FD, pipe.source()).start()) {
                parent.say("posix_spawnp() started child pid " + child.pid() + " (a JVM running "
                                + PipeDemoChild.class.getSimpleName() + ").",
                        "Its file actions put the read end on the child's fd " + CHILD_FD
                                + " and close every other fd above 2,",
                        "so the child receives only the read end: there is no write end in it to close.");
                parent.say("closed my read end fd " + readFd + (pipe.source().isOpen() ? " (NOT closed!)" : "")
                                + ": I only write. Had I kept it, a reader would",
                        "remain if the child died, and my writes would fill the pipe instead of failing with EPIPE.");
                pipe.sink().writeFully(message);
                parent.say("wrote \"" + MESSAGE + "\" (" + message.length + " bytes) to write end fd " + writeFd
                                + ".",
                        "It fits in the pipe's buffer, so write() returned before the child read anything.");
                pipe.sink().close();
                parent.say("closed write end fd " + writeFd + ": it was the last one, so the child's next read "
                        + "after the message returns EOF.");
                Demos.awaitChild(parent, child);
            }
        }
        return 0;
    }
}
