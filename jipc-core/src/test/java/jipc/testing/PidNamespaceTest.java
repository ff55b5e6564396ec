package jipc.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import jipc.live.Liveness;
import jipc.live.LivenessToken;
import jipc.live.PartyState;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PidNamespace}, what the tests across pid namespaces stand on: the command runs in a namespace of its own at
 * the pid asked for, {@link PidNamespace#kill()} ends it and the namespace with it, and {@link PidNamespace#close()}
 * leaves no token file of the dead behind.
 */
class PidNamespaceTest {

    /** Makes this process's liveness token, prints {@code token PATH} and waits to be killed. */
    public static final class TokenHolder {
        public static void main(String[] args) throws Exception {
            System.out.println("token " + LivenessToken.standard().path());
            System.out.flush();
            for (;;) {
                LockSupport.park();
            }
        }
    }

    /**
     * As user nobody: prints the {@code unshare} options {@link PidNamespace} chose, then runs {@code sleep} at pid
     * 4242 of a new namespace and kills it, printing what it saw; or prints why it cannot.
     */
    public static final class WithoutRoot {
        public static void main(String[] args) throws Exception {
            try {
                System.out.println("options: " + String.join(" ", PidNamespace.unshare()));
            } catch (org.opentest4j.TestAbortedException e) {
                System.out.println("skipped: " + e.getMessage());
                return;
            }
            try (PidNamespace ns = PidNamespace.start(List.of("sleep", "600"), 4242, null)) {
                System.out.println("pid " + ns.namespacePid() + " killed: " + ns.kill().code());
            }
        }
    }

    @BeforeEach
    void namespaces() {
        PidNamespace.assumeAvailable();
    }

    @Test
    void commandRunsAtTheChosenPidOfAnotherPidNamespaceAndKillEndsTheNamespace() throws Exception {
        try (PidNamespace ns = PidNamespace.start(List.of("sleep", "600"), 4242, null)) {
            assertEquals(4242, ns.namespacePid());
            assertNotEquals(PidNamespace.ownNamespaceInode(), ns.inode());
            assertEquals(ns.inode(), PidNamespace.namespaceInode(ns.pid()), "the command is in the init's namespace");
            assertTrue(ProcessHandle.of(ns.pid()).map(ProcessHandle::isAlive).orElse(false));

            ExitStatus status = ns.kill();
            assertEquals(128 + 9, status.code(), "the init and unshare exit as the SIGKILLed command: " + status);
            assertFalse(ProcessHandle.of(ns.pid()).isPresent(), "reaped inside the namespace");
        }
    }

    @Test
    void aUserWhoIsNotRootGetsTheUserNamespaceForm() throws Exception {
        try (Nobody nobody = Nobody.create()) {
            Capture.Result result = Capture.run(Spawn.command(nobody.argv(nobody.java(WithoutRoot.class)))
                    .directory(Path.of("/")));
            result.assertSuccess();
            assumeFalse(result.out().startsWith("skipped: "), result.out());
            assertEquals("options: unshare --user --map-root-user --pid --fork --kill-child --mount-proc\n"
                    + "pid 4242 killed: 137\n", result.out());
        }
    }

    @Test
    void argvRunsACommandToItsEndAsPidTwoOfAnotherNamespace() throws Exception {
        Capture.Result result = Capture.run(Spawn.command(PidNamespace.argv(List.of("bash", "-c",
                "echo $$; readlink /proc/self/ns/pid"))));
        result.assertSuccess();
        List<String> lines = result.out().lines().toList();
        assertEquals("2", lines.get(0), result.out());
        assertNotEquals("pid:[" + PidNamespace.ownNamespaceInode() + "]", lines.get(1), result.out());
    }

    @Test
    void closeRemovesTheTokenThatAKilledJvmOfTheNamespaceLeft() throws Exception {
        Path token;
        try (PidNamespace ns = PidNamespace.start(PidNamespace.java(TokenHolder.class))) {
            token = Path.of(ns.awaitLine("token ", Duration.ofSeconds(60)).substring("token ".length()));
            assertEquals("pid " + ns.namespacePid() + " pidns " + ns.inode(), Files.readString(token).strip(),
                    "the token's line for people names the namespace");
            PartyState alive = Liveness.checkTokenFile(token.getFileName().toString());
            assertEquals(PartyState.Life.ALIVE, alive.life(), alive.reason());

            ns.kill();
            // not locked now; or gone already, if another process cleaned it up meanwhile
            PartyState dead = Liveness.checkTokenFile(token.getFileName().toString());
            assertEquals(PartyState.Life.DEAD, dead.life(), dead.reason());
        }
        assertFalse(Files.exists(token), token + " is removed");
    }
}
