/*
 * FifoLogTap: an application offers its log lines on a named pipe (FIFO); anyone may tap it with `cat FIFO`, and
 * while nobody reads, the application drops the lines instead of blocking.
 *
 * Shows: Fifo.create (mkfifo, exactly 0600), openWriteNonBlocking() failing at once with NoReaderException when no
 * reader is there, Spawn of `cat` as the reader (its output is this program's output), openWrite(Duration) waiting
 * for the reader, and end of file for `cat` when the writer closes.
 *
 *   java --enable-native-access=ALL-UNNAMED -cp ... dev.jipc.examples.FifoLogTap LINES
 */
package dev.jipc.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import jipc.fifo.Fifo;
import jipc.fifo.NoReaderException;
import jipc.io.WriteEnd;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

public final class FifoLogTap {
    public static void main(String[] args) throws Exception {
        int lines = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("jipc-example-tap");
        Fifo tap = Fifo.create(dir.resolve("log"));
        try {
            // Nobody taps the log yet: a log line is dropped, not waited for.
            try (WriteEnd out = tap.openWriteNonBlocking()) {
                throw new IllegalStateException("a reader is attached already: " + out);
            } catch (NoReaderException expected) {
                System.out.println("FifoLogTap: no reader on " + tap.path() + ", line dropped (" + expected.getMessage()
                        + ")");
            }
            // Now tap it the way an operator would: cat FIFO.
            try (ChildProcess cat = Spawn.command("cat", tap.path().toString()).start()) {
                try (WriteEnd out = tap.openWrite(Duration.ofSeconds(10))) {   // retries until cat has opened it
                    for (int i = 0; i < lines; i++) {
                        // One write per line, below PIPE_BUF (4096): lines of several writers never interleave.
                        out.writeFully(("log " + i + " at " + Instant.now() + "\n").getBytes(UTF_8));
                    }
                }                                                               // cat reads end of file and exits
                ExitStatus status = cat.waitFor();
                System.out.println("FifoLogTap: " + lines + " lines written, cat: " + status);
                if (!status.success()) {
                    System.exit(1);
                }
            }
        } finally {
            tap.unlinkIfExists();
            Files.deleteIfExists(dir);
        }
    }
}
