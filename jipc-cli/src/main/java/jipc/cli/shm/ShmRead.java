package jipc.cli.shm;

import java.lang.foreign.MemorySegment;
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

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** {@code jipc shm read TARGET [--offset N] [--length N] [--until-nul]}: the object's bytes to standard output. */
@Command(name = "read", description = {"Copy the object's bytes to standard output, unchanged: from --offset, "
        + "--length bytes or to the end.",
        "Maps the object read-only, so read permission is enough; the bytes go from the mapping to write(2) "
                + "without a copy in Java. If the reader of standard output goes away (| head), exits quietly "
                + "with 141, as for a program killed by SIGPIPE."})
public final class ShmRead implements Callable<Integer> {
    @Parameters(paramLabel = "TARGET", converter = ShmTarget.Converter.class, description = ShmTarget.SYNTAX + ".")
    ShmTarget target;

    @Option(names = {"-o", "--offset"}, paramLabel = "OFFSET", defaultValue = "0",
            converter = Converters.ByteOffset.class, description = "First byte to read (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = {"-l", "--length"}, paramLabel = "LENGTH", converter = Converters.ByteOffset.class,
            description = "How many bytes (default: to the end).")
    Long length;

    @Option(names = {"-z", "--until-nul"},
            description = "Stop before the first NUL byte, as C reads a string (\"Hello World\" rather than 4096 "
                    + "bytes of it and zeros).")
    boolean untilNul;

    @Override
    public Integer call() throws Exception {
        try (SharedMemory shm = target.openReadOnly(); Mapping mapping = shm.mapReadOnly();
             Fd stdout = Stdio.duplicate(1)) {
            MemorySegment bytes = Span.of(mapping, target, offset, length);
            if (untilNul) {
                bytes = bytes.asSlice(0, firstNul(bytes));
            }
            writeFully(stdout, bytes);
        } catch (BrokenPipeException e) {
            return ExitCodes.READER_GONE;
        }
        return 0;
    }

    private static long firstNul(MemorySegment bytes) {
        long size = bytes.byteSize();
        for (long i = 0; i < size; i++) {
            if (bytes.get(JAVA_BYTE, i) == 0) {
                return i;
            }
        }
        return size;
    }

    private static void writeFully(Fd out, MemorySegment bytes) throws Exception {
        long done = 0;
        while (done < bytes.byteSize()) {
            int n = out.write(bytes.asSlice(done));
            if (n == 0) {
                out.awaitWritable(null); // a non-blocking stdout that is full: wait for room
            }
            done += n;
        }
    }
}
