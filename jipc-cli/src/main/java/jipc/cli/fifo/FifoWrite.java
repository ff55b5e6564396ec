package jipc.cli.fifo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Stdio;
import jipc.fifo.Fifo;
import jipc.fifo.NoReaderException;
import jipc.io.Fd;
import jipc.io.WriteEnd;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc fifo write PATH}: copies standard input into the FIFO. */
@Command(name = "write", description = {"Open the FIFO at PATH for writing and copy standard input into it "
        + "until end of input.",
        "By default the open waits for a reader without limit."})
public final class FifoWrite implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "An existing FIFO (symbolic links are refused).")
    Path path;

    @ArgGroup(exclusive = true)
    Waiting waiting = new Waiting();

    static final class Waiting {
        @Option(names = "--nonblock", description = "Do not wait for a reader: fail at once (exit 69) if there is none.")
        boolean nonBlocking;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Timeout.class,
                description = "Wait at most DURATION for a reader (500ms, 10s, 2m), then fail with exit 69.")
        Duration timeout;
    }

    @Override
    public Integer call() throws Exception {
        Fifo fifo = Fifo.at(path);
        try (WriteEnd out = open(fifo); Fd stdin = Stdio.duplicate(0)) {
            Stdio.copy(stdin, out.fd());
        }
        return 0;
    }

    private WriteEnd open(Fifo fifo) throws Exception {
        if (waiting.nonBlocking) {
            WriteEnd out = fifo.openWriteNonBlocking();
            out.setBlocking(true); // only the open is non-blocking; the copy waits for room like cat would
            return out;
        }
        if (waiting.timeout != null) {
            try {
                return fifo.openWrite(waiting.timeout);
            } catch (NoReaderException e) {
                throw new Failure(ExitCodes.UNAVAILABLE, "no process opened " + path + " for reading within "
                        + waiting.timeout.toMillis() + " ms (" + e.getMessage() + ")");
            }
        }
        return fifo.openWrite();
    }
}
