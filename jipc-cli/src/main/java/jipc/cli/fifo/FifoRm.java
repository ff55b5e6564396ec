package jipc.cli.fifo;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import jipc.ErrnoException;
import jipc.fifo.Fifo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc fifo rm PATH}: unlinks a FIFO, refusing anything that is not one. */
@Command(name = "rm", description = {"Remove the FIFO at PATH. Anything that is not a FIFO is left alone (exit 66).",
        "Processes that have it open keep using it."})
public final class FifoRm implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "The FIFO to remove.")
    Path path;

    @Option(names = {"-f", "--force"}, description = "Succeed if nothing is at PATH.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try {
            Fifo.at(path).unlink();
        } catch (ErrnoException e) {
            if (!(force && e.is("ENOENT"))) {
                throw e;
            }
        }
        return 0;
    }
}
