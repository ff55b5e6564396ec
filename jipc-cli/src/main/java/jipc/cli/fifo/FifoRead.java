package jipc.cli.fifo;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import jipc.cli.Stdio;
import jipc.fifo.Fifo;
import jipc.io.Fd;
import jipc.io.ReadEnd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jipc fifo read PATH}: copies what writers send through the FIFO to standard output until EOF. */
@Command(name = "read", description = {"Open the FIFO at PATH for reading and copy everything to standard output "
        + "until end of file (every writer has closed).",
        "The open waits until some process opens the FIFO for writing."})
public final class FifoRead implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "An existing FIFO (symbolic links are refused).")
    Path path;

    @Override
    public Integer call() throws Exception {
        Fifo fifo = Fifo.at(path);
        try (ReadEnd in = fifo.openRead(); Fd stdout = Stdio.duplicate(1)) {
            Stdio.copy(in.fd(), stdout);
        }
        return 0;
    }
}
