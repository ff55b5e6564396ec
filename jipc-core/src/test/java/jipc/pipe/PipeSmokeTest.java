package jipc.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.Test;

class PipeSmokeTest {
    @Test
    void catEchoesThroughTwoPipes() throws Exception {
        try (Duplex duplex = Duplex.open();
             ChildProcess cat = Spawn.command("cat").fd(0, duplex.remote().in()).fd(1, duplex.remote().out()).start()) {
            duplex.local().out().writeFully("Hello from parent".getBytes(StandardCharsets.UTF_8));
            duplex.local().shutdownOutput();
            byte[] back = duplex.local().in().readAllBytes();
            assertEquals("Hello from parent", new String(back, StandardCharsets.UTF_8));
            ExitStatus status = cat.waitFor();
            assertTrue(status.success(), status.toString());
        }
    }
}
