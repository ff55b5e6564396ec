package jipc.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jipc.io.WriteEnd;

/**
 * Child JVM main: {@code WriteFdAndExit FD TEXT} takes the write end a parent placed at FD, writes TEXT into it,
 * closes it and exits 0.
 */
public final class WriteFdAndExit {
    private WriteFdAndExit() {
    }

    public static void main(String[] args) throws IOException {
        try (WriteEnd out = WriteEnd.inherit(Integer.parseInt(args[0]))) {
            out.writeFully(args[1].getBytes(StandardCharsets.UTF_8));
        }
    }
}
