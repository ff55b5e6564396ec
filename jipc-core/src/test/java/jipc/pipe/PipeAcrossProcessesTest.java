package jipc.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jipc.process.Spawn;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import jipc.testing.JavaCommand;
import jipc.testing.ReadFdAndPrint;
import jipc.testing.WriteFdAndExit;
import org.junit.jupiter.api.Test;

/** The seeds' classic flow (parent writes "Hello from parent", child reads) across each pair of process kinds. */
class PipeAcrossProcessesTest {
    private static final byte[] HELLO = "Hello from parent".getBytes(StandardCharsets.UTF_8);

    @Test
    void javaParentWritesToNativeChildReadingFd3() throws Exception {
        try (Pipe pipe = Pipe.open();
             Capture child = Capture.start(Spawn.command(Gcc.program("fd3_reader").toString()).fd(3, pipe.source()))) {
            assertFalse(pipe.source().isOpen(), "the parent closes its copy of the end it gave away");
            pipe.sink().writeFully(HELLO);
            pipe.sink().close(); // the child's read sees EOF only now
            Capture.Result result = child.finish().assertSuccess();
            assertEquals("Child received: Hello from parent\n", result.out());
            assertEquals("", result.err());
        }
    }

    @Test
    void nativeParentWritesToJavaChildReadingFd3() throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add(Gcc.program("exec_java_with_pipe").toString());
        argv.addAll(JavaCommand.argv(ReadFdAndPrint.class, "3"));
        try (Capture parent = Capture.start(Spawn.command(argv))) {
            Capture.Result result = parent.finish(Duration.ofSeconds(60)).assertSuccess();
            List<String> lines = result.out().lines().toList();
            assertTrue(lines.getFirst().startsWith("Parent (C, pid "), result.out());
            assertTrue(lines.contains("Child received: Hello from parent"), result.out());
            assertEquals("Parent (C): child exited with 0", lines.getLast());
        }
    }

    @Test
    void javaParentWritesToChildJvm() throws Exception {
        try (Pipe pipe = Pipe.open();
             Capture child = Capture.start(Spawn.java(ReadFdAndPrint.class, "3").fd(3, pipe.source()))) {
            pipe.sink().writeFully(HELLO);
            pipe.sink().close();
            Capture.Result result = child.finish(Duration.ofSeconds(60)).assertSuccess();
            assertTrue(result.out().lines().toList().contains("Child received: Hello from parent"), result.out());
        }
    }

    @Test
    void childJvmWritesToJavaParent() throws Exception {
        try (Pipe pipe = Pipe.open();
             Capture child = Capture.start(Spawn.java(WriteFdAndExit.class, "3", "Hello from child")
                     .fd(3, pipe.sink()))) {
            assertFalse(pipe.sink().isOpen(), "the parent keeps no write end, or it would never see EOF");
            byte[] got = pipe.source().readAllBytes(); // to EOF: the child closed the only write end
            assertEquals("Hello from child", new String(got, StandardCharsets.UTF_8));
            child.finish(Duration.ofSeconds(60)).assertSuccess();
        }
    }
}
