package jipc.testing;

import java.io.IOException;
import java.nio.file.Path;

import jipc.fifo.Fifo;

/** Child JVM main: {@code CreateFifo PATH OCTAL_MODE} creates a FIFO with {@code Fifo.create} and exits 0. */
public final class CreateFifo {
    private CreateFifo() {
    }

    public static void main(String[] args) throws IOException {
        Fifo.create(Path.of(args[0]), Integer.parseInt(args[1], 8));
    }
}
