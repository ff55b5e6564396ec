package jipc.cli.shm;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import jipc.BrokenPipeException;
import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Stdio;
import jipc.io.Fd;
import jipc.shm.Mapping;
import jipc.shm.SharedMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jipc shm dump TARGET}: a hex dump in {@code xxd}'s format. */
@Command(name = "dump", description = {"Show the object's bytes as a hex dump in xxd's format: offset, 16 bytes in "
        + "hex, the same bytes as ASCII.",
        "For a POSIX object, 'jipc shm dump /name' prints what 'xxd /dev/shm/name' prints (and -a what xxd -a "
                + "does). Maps the object read-only. Exits quietly with 141 if the reader of standard output goes away."})
public final class ShmDump implements Callable<Integer> {
    @Parameters(paramLabel = "TARGET", converter = ShmTarget.Converter.class, description = ShmTarget.SYNTAX + ".")
    ShmTarget target;

    @Option(names = {"-o", "--offset"}, paramLabel = "OFFSET", defaultValue = "0",
            converter = Converters.ByteOffset.class,
            description = "First byte to show (default: ${DEFAULT-VALUE}); addresses stay those of the object.")
    long offset;

    @Option(names = {"-l", "--length"}, paramLabel = "LENGTH", converter = Converters.ByteOffset.class,
            description = "How many bytes (default: to the end).")
    Long length;

    @Option(names = {"-a", "--autoskip"},
            description = "Print a run of three or more all-zero lines as its first line and '*' (as xxd -a).")
    boolean autoskip;

    @Override
    public Integer call() throws Exception {
        try (SharedMemory shm = target.openReadOnly(); Mapping mapping = shm.mapReadOnly();
             Fd stdout = Stdio.duplicate(1)) {
            // Through our own descriptor, not System.out, which would hide EPIPE and format to the end for no one.
            Writer out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(stdout),
                    StandardCharsets.US_ASCII), 1 << 16);
            HexDump.dump(Span.of(mapping, target, offset, length), offset, autoskip, out);
            out.flush();
        } catch (BrokenPipeException e) {
            return ExitCodes.READER_GONE;
        }
        return 0;
    }
}
