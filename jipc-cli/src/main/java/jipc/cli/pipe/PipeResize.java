package jipc.cli.pipe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import jipc.ErrnoException;
import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jipc pipe resize SIZE [FD]}: {@code F_SETPIPE_SZ} on an inherited pipe; prints what the kernel chose. */
@Command(name = "resize", description = {"Resize the pipe at fd FD (default 0) and print the capacity the kernel "
        + "chose: at least SIZE, rounded up to a power-of-two number of pages.",
        "The capacity belongs to the pipe, so both processes of a shell pipeline see it."},
        footer = {"%nExample:%n  producer | { jipc pipe resize 1M; consumer; }   # prints 1048576"})
public final class PipeResize implements Callable<Integer> {
    private static final Path MAX_SIZE = Path.of("/proc/sys/fs/pipe-max-size");

    @Parameters(index = "0", paramLabel = "SIZE", converter = Converters.ByteSize.class,
            description = "The capacity wanted: 65536, 64K, 1M...")
    int size;

    @Parameters(index = "1", paramLabel = "FD", arity = "0..1", defaultValue = "0",
            description = "The fd number (default: 0).")
    int number;

    @Override
    public Integer call() throws Exception {
        try (InheritedPipe pipe = InheritedPipe.at(number)) {
            int chosen;
            try {
                chosen = pipe.end().setPipeCapacity(size);
            } catch (ErrnoException e) {
                throw explain(e);
            }
            System.out.println(chosen);
        }
        return 0;
    }

    private static Exception explain(ErrnoException e) {
        if (e.is("EPERM")) {
            String max = readSysctl(MAX_SIZE);
            return new Failure(ExitCodes.NO_PERMISSION, e.getMessage() + ": unprivileged processes may not go above "
                    + MAX_SIZE + " = " + max + " bytes");
        }
        if (e.is("EBUSY")) {
            return new Failure(ExitCodes.IO_ERROR, e.getMessage() + ": the pipe holds more data than the new size");
        }
        return e;
    }

    /** A sysctl file must be read in one read(2): the kernel answers a read at a non-zero offset with EOF. */
    private static String readSysctl(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
