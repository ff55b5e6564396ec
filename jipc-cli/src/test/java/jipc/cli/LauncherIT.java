package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./jipc} launcher at the repository root. */
class LauncherIT {

    @Test
    void demoFromAnotherDirectoryRunsEveryDemoInOrder(@TempDir Path elsewhere) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", Run.LAUNCHER.toString(), "demo").directory(elsewhere.toFile());

        Run.Result result = Run.run(builder, "");

        assertEquals(0, result.exitCode(), result.err());
        String out = result.out();
        int pipe = out.indexOf("== demo pipe");
        int fifo = out.indexOf("== demo fifo");
        int shm = out.indexOf("== demo shm");
        assertTrue(pipe >= 0 && fifo > pipe && shm > fifo, out);
        assertTrue(out.indexOf("Child received: Hello from parent", pipe) < fifo, out);
        int fifoMessage = out.indexOf("Child received: Hello from parent", fifo);
        assertTrue(fifoMessage > fifo && fifoMessage < shm, out);
        int sem = out.indexOf("== demo sem");
        int hello = out.indexOf("Message from child: Hello World", shm);
        assertTrue(hello > shm && sem > hello, out);
        int channel = out.indexOf("== demo channel");
        int checked = out.indexOf("all 5 messages checked", sem);
        assertTrue(checked > sem && channel > checked, out);
        assertTrue(out.indexOf("end of stream after 5 messages, all in order", channel) > channel, out);
    }

    @Test
    void launcherExits69WhenNoJdk25CanBeFound(@TempDir Path dir) throws Exception {
        // A PATH with only the tools the launcher needs before it looks for a JDK, so no `java` is on it.
        Path bin = Files.createDirectory(dir.resolve("bin"));
        for (String tool : new String[] {"dirname", "readlink", "grep"}) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool).toRealPath());
        }
        Path noJdks = Files.createDirectory(dir.resolve("no-jdks"));
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", Run.LAUNCHER.toString(), "--version");
        Map<String, String> env = builder.environment();
        env.remove("JAVA_HOME");
        env.remove("JDK_HOME");
        env.put("PATH", bin.toString());
        env.put("JIPC_JDK_ROOTS", noJdks.toString());

        Run.Result result = Run.run(builder, "");

        assertEquals(69, result.exitCode(), result.err());
        assertTrue(result.err().startsWith("jipc: no JDK 25 or newer found."), result.err());
    }
}
