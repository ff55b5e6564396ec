package jipc.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Prints a demo's narration, each line prefixed with who is speaking: {@code [parent pid 1234]}, {@code [child pid 1240]}.
 *
 * <p>Parent and child share one standard output. Each {@link #say} is a single {@code write(2)} of at most a few
 * hundred bytes (below PIPE_BUF, 4096), so when stdout is a pipe the two processes' lines never tear into each other.
 * {@code System.out} would not promise that: it flushes through a 128-byte buffer, so a long line takes several writes.
 */
public final class Narrator {
    private static final FileOutputStream STDOUT = new FileOutputStream(FileDescriptor.out);

    private final String prefix;
    private final String indent;

    private Narrator(String role) {
        this.prefix = "[" + role + " pid " + ProcessHandle.current().pid() + "] ";
        this.indent = " ".repeat(prefix.length());
    }

    /** The narrator of the process that starts a demo. */
    public static Narrator parent() {
        return new Narrator("parent");
    }

    /** The narrator of a demo's child process. */
    public static Narrator child() {
        return new Narrator("child");
    }

    /** The narrator of a process playing {@code role} in a demo ({@code [writer pid 1234]}). */
    public static Narrator of(String role) {
        return new Narrator(role);
    }

    /** Prints {@code first} after the prefix, and each of {@code more} on its own line, indented under it. */
    public void say(String first, String... more) {
        StringBuilder text = new StringBuilder(prefix).append(first).append('\n');
        for (String line : more) {
            text.append(indent).append(line).append('\n');
        }
        System.out.flush();
        try {
            STDOUT.write(text.toString().getBytes(System.out.charset()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output", e);
        }
    }

    /** Prints a plain line with no prefix (a demo's title). */
    public static void title(String text) {
        System.out.println(text);
        System.out.flush();
    }
}
