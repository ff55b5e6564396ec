package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code jipc rpc ...} as separate processes: a long-lived service command answering one-line requests. */
class RpcCommandsIT {
    private final String name = "/jipc-it-" + ProcessHandle.current().pid() + "-rpc";
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(Path.of("/dev/shm" + name));
    }

    /** {@code jipc rpc serve NAME -- COMMAND...} in the background, once its service role shows in stat. */
    private Process serve(String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Run.JAVA.toString(), "-jar", Run.JAR.toString(), "rpc", "serve",
                name, "--"));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start();
        started.add(p);
        for (int i = 0; i < 60; i++) {
            if (Run.jipc("", "rpc", "stat", name).out().contains("service: pid " + p.pid() + " (alive")) {
                return p;
            }
            assertTrue(p.isAlive(), () -> "rpc serve ended: " + p.exitValue());
        }
        throw new AssertionError("rpc serve did not take the service role");
    }

    @Test
    void callsAreAnsweredLineByLineByTheServedCommandAndStatShowsBothEnds() throws Exception {
        Run.Result created = Run.jipc("", "rpc", "create", name, "--clients", "4");
        assertEquals(0, created.exitCode(), created.err());
        assertEquals(name + "\n", created.out());
        assertEquals("-rw-------", Run.bash("stat -c %A /dev/shm" + name).out().strip());
        serve("stdbuf", "-oL", "tr", "a-z", "A-Z");
        Run.Result call = Run.jipc("", "rpc", "call", name, "hello wörld");
        assertEquals(0, call.exitCode(), call.err());
        assertEquals("HELLO WöRLD\n", call.out());
        // four callers at once, 5 calls each (a JVM start each): every answer is its own request's
        Run.Result many = Run.bash("""
                for c in 1 2 3 4; do
                  ( for i in $(seq 1 5); do
                      r=$("$JAVA" -jar "$JAR" rpc call "$1" "c$c n$i") || exit 1
                      [ "$r" = "C$c N$i" ] || { echo "c$c n$i got $r"; exit 1; }
                    done ) &
                done
                fail=0; for j in 1 2 3 4; do wait -n || fail=1; done; exit $fail
                """, name);
        assertEquals(0, many.exitCode(), many.out() + many.err());
        String stat = Run.jipc("", "rpc", "stat", name).out();
        assertTrue(stat.contains("client-slots: 4\n") && stat.contains("clients: 0 holding slots\n"), stat);
        Run.Result newline = Run.jipc("", "rpc", "call", name, "two\nlines");
        assertEquals(70, newline.exitCode(), newline.err());
        newline.assertNoStackTrace();
        assertEquals(0, Run.jipc("", "rpc", "rm", name).exitCode());
        assertTrue(!Files.exists(Path.of("/dev/shm" + name)));
    }

    @Test
    void noServiceFailsAtOnceATimeoutIs75AndAKilledServiceFailsAWaitingCallFast() throws Exception {
        assertEquals(0, Run.jipc("", "rpc", "create", name).exitCode());
        long start = System.nanoTime();
        Run.Result none = Run.jipc("", "rpc", "call", name, "x", "--timeout", "60s");
        assertEquals(69, none.exitCode(), none.err());
        assertTrue(none.err().contains("no service"), none.err());
        none.assertNoStackTrace();
        assertTrue(System.nanoTime() - start < 30_000_000_000L);

        Process service = serve("sh", "-c", "cat > /dev/null"); // answers none; ends when serve dies (EOF)
        Run.Result late = Run.jipc("", "rpc", "call", name, "x", "--timeout", "1s");
        assertEquals(75, late.exitCode(), late.err());
        late.assertNoStackTrace();

        Run.Result second = Run.jipc("", "rpc", "serve", name, "--", "cat");
        assertEquals(74, second.exitCode(), second.err());
        second.assertNoStackTrace();

        Process waiting = new ProcessBuilder(Run.JAVA.toString(), "-jar", Run.JAR.toString(), "rpc", "call", name,
                "y", "--timeout", "60s").redirectOutput(Redirect.DISCARD).redirectError(Redirect.PIPE).start();
        started.add(waiting);
        for (int i = 0; i < 60 && !Run.jipc("", "rpc", "stat", name).out().contains("clients: 1 holding"); i++) {
            assertTrue(waiting.isAlive());
        }
        long killed = System.nanoTime();
        service.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(waiting.waitFor(30, TimeUnit.SECONDS));
        long took = System.nanoTime() - killed;
        String err = new String(waiting.getErrorStream().readAllBytes());
        assertEquals(69, waiting.exitValue(), err);
        assertTrue(err.contains("dead"), err);
        assertTrue(took < 20_000_000_000L, "long before the 60 s deadline: " + took / 1e6 + " ms");
    }

    @Test
    void badInputIsAUsageErrorOrNoInput() throws Exception {
        Run.Result bad = Run.jipc("", "rpc", "create", name, "--clients", "53");
        assertEquals(64, bad.exitCode(), bad.err());
        bad.assertNoStackTrace();
        bad = Run.jipc("", "rpc", "create", name, "--request-capacity", "1000");
        assertEquals(64, bad.exitCode(), bad.err());
        assertTrue(!Files.exists(Path.of("/dev/shm" + name)), "nothing created");
        Run.Result missing = Run.jipc("", "rpc", "call", name, "x");
        assertEquals(66, missing.exitCode(), missing.err());
        missing.assertNoStackTrace();
        assertEquals(0, Run.jipc("", "rpc", "rm", "-f", name).exitCode());
        assertEquals(0, Run.jipc("", "shm", "create", name, "--size", "8K").exitCode());
        Run.Result notRpc = Run.jipc("", "rpc", "stat", name);
        assertEquals(66, notRpc.exitCode(), notRpc.err());
        assertTrue(notRpc.err().contains("magic"), notRpc.err());
        notRpc.assertNoStackTrace();
    }
}
