package jipc.cli.fifo;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.fifo.Fifo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc fifo create PATH [--mode 0600]}: {@code mkfifo} with an exact mode (the umask does not narrow it). */
@Command(name = "create", description = {"Create a FIFO at PATH with exactly the given mode (the umask does not "
        + "change it).", "Fails if anything already exists at PATH."})
public final class FifoCreate implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "Where to create the FIFO.")
    Path path;

    @Option(names = {"-m", "--mode"}, paramLabel = "MODE", defaultValue = "0600",
            converter = Converters.OctalMode.class, description = "Permission bits in octal (default: ${DEFAULT-VALUE}).")
    int mode;

    @Override
    public Integer call() throws Exception {
        Fifo.create(path, mode);
        return 0;
    }
}
