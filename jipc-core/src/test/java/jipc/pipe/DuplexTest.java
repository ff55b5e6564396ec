package jipc.pipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.Test;

/** A duplex (two pipes) with a child on the other side: a C echo on fds 3/4, and cat on 0/1. */
class DuplexTest {

    @Test
    void nativeEchoChildOnFds3And4AnswersEachMessage() throws Exception {
        try (Duplex duplex = Duplex.open();
             Capture echo = Capture.start(Spawn.command(Gcc.program("echo_fds").toString())
                     .fd(3, duplex.remote().in()).fd(4, duplex.remote().out()))) {
            assertFalse(duplex.remote().isOpen(), "the child's side is closed in the parent");
            for (int i = 0; i < 20; i++) {
                byte[] message = ("ping " + i + "\n").getBytes(StandardCharsets.UTF_8);
                duplex.local().out().writeFully(message);
                ByteBuffer answer = ByteBuffer.allocate(message.length);
                duplex.local().in().readFully(answer);
                assertArrayEquals(message, answer.array());
            }
            duplex.local().shutdownOutput();
            assertEquals(-1, duplex.local().read(ByteBuffer.allocate(1)), "echo exits at EOF: its side closes");
            echo.finish().assertSuccess();
        }
    }

    @Test
    void catOnStdinAndStdoutReturnsAMegabyteIntact() throws Exception {
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i ^ (i >>> 8));
        }
        try (Duplex duplex = Duplex.open();
             ChildProcess cat = Spawn.command("cat")
                     .fd(0, duplex.remote().in()).fd(1, duplex.remote().out()).nullFd(2).start()) {
            // Write from another thread: cat's output pipe fills up unless this thread reads meanwhile.
            Future<Void> writer = Background.run("writer", () -> {
                duplex.local().out().writeFully(data);
                duplex.local().shutdownOutput();
            });
            byte[] back = duplex.local().in().readAllBytes();
            writer.get(30, TimeUnit.SECONDS);
            assertArrayEquals(data, back);
            ExitStatus status = cat.waitFor(Duration.ofSeconds(30)).orElseThrow();
            assertTrue(status.success(), status.toString());
        }
    }
}
