package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code jipc pipe ...} on pipes that bash makes, as a shell script would use it. */
class PipeCommandsIT {

    @Test
    void statReportsTheShellPipeOnStdinWithItsCapacityAndQueuedBytes() throws Exception {
        Run.Result result = Run.bash("echo x | \"$JAVA\" -jar \"$JAR\" pipe stat");

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("type: pipe\n"), result.out());
        assertTrue(result.out().contains("end: read\n"), result.out());
        assertTrue(result.out().contains("capacity: 65536\n"), result.out());
        assertTrue(result.out().contains("queued: 2\n"), result.out()); // "x\n" is still in the pipe
    }

    @Test
    void statOnSomethingThatIsNotAPipeExits1() throws Exception {
        Run.Result result = Run.bash("\"$JAVA\" -jar \"$JAR\" pipe stat < /dev/null");

        assertEquals(ExitCodes.NO, result.exitCode(), result.err());
        assertTrue(result.err().contains("not a pipe") && result.err().contains("character device"), result.err());
        result.assertNoStackTrace();
    }

    @Test
    void resizePrintsTheCapacityTheKernelChose() throws Exception {
        Run.Result result = Run.bash("echo x | \"$JAVA\" -jar \"$JAR\" pipe resize 100000");

        assertEquals(0, result.exitCode(), result.err());
        assertEquals("131072\n", result.out()); // rounded up to a power-of-two number of pages
    }

    @Test
    void toCopiesStdinIntoTheCommandsFd3AndExitsWithItsCode() throws Exception {
        Run.Result result = Run.jipc("through fd 3\n", "pipe", "to", "--fd", "3", "--",
                "bash", "-c", "cat <&3; exit 7");

        assertEquals(7, result.exitCode(), result.err());
        assertEquals("through fd 3\n", result.out());
    }
}
