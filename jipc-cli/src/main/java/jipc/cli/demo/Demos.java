package jipc.cli.demo;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Narrator;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;

/** Steps every demo shares. */
final class Demos {
    private Demos() {
    }

    /** The parent waits for its child, narrating it; a child that did not exit with 0 fails the demo (exit 70). */
    static void awaitChild(Narrator parent, ChildProcess child) throws IOException, InterruptedException {
        parent.say("waiting for child pid " + child.pid() + " to exit (waitpid).");
        ExitStatus status = child.waitFor();
        if (!status.success()) {
            throw new Failure(ExitCodes.SOFTWARE, "child pid " + child.pid() + " ended with " + status);
        }
        parent.say("child pid " + child.pid() + " exited with code 0.");
    }

    /**
     * Runs {@code cleanup} exactly once: when closed (the demo's {@code finally}), or from a shutdown hook if the JVM
     * ends first (Ctrl-C or SIGTERM skip {@code finally} blocks but run shutdown hooks), so a demo leaves nothing
     * behind either way. {@code cleanup} reports its own failures: it runs at exit too, where nothing can catch.
     */
    static Cleanup atExit(String name, Runnable cleanup) {
        return new Cleanup(name, cleanup);
    }

    static final class Cleanup implements AutoCloseable {
        private final AtomicBoolean done = new AtomicBoolean();
        private final Runnable cleanup;
        private final Thread hook;

        private Cleanup(String name, Runnable cleanup) {
            this.cleanup = cleanup;
            this.hook = new Thread(this::runOnce, name);
            Runtime.getRuntime().addShutdownHook(hook);
        }

        private void runOnce() {
            if (!done.getAndSet(true)) {
                cleanup.run();
            }
        }

        @Override
        public void close() {
            runOnce();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook runs anyway and finds the work done.
            }
        }
    }
}
