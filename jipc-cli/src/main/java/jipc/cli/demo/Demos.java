package jipc.cli.demo;

import java.io.IOException;

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
}
