package jipc.cli.shm;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.shm.Mapping;
import jipc.shm.SharedMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** {@code jipc shm write TARGET [--offset N] [--string TEXT]}: copies standard input (or TEXT) into the object. */
@Command(name = "write", description = {"Write standard input (or --string TEXT as UTF-8) into the object at "
        + "--offset.",
        "The input is read (up to one byte more than fits) before anything is written: if it does not fit, nothing "
                + "is written (exit 64). Nothing else changes: no NUL is added, the object keeps its size."})
public final class ShmWrite implements Callable<Integer> {
    /** Arrays cannot be longer than this on HotSpot. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    @Parameters(paramLabel = "TARGET", converter = ShmTarget.Converter.class, description = ShmTarget.SYNTAX + ".")
    ShmTarget target;

    @Option(names = {"-o", "--offset"}, paramLabel = "OFFSET", defaultValue = "0",
            converter = Converters.ByteOffset.class, description = "Where to write, in bytes from the start "
            + "(default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--string", paramLabel = "TEXT", description = "Write TEXT (UTF-8) instead of standard input.")
    String string;

    @Override
    public Integer call() throws Exception {
        try (SharedMemory shm = target.openReadWrite(); Mapping mapping = shm.map()) {
            MemorySegment room = Span.of(mapping, target, offset, null);
            // One byte more than fits tells "too long" from "exactly fills it" without reading endless input.
            int limit = (int) Math.min(room.byteSize() + 1, MAX_ARRAY);
            byte[] data = string != null ? string.getBytes(StandardCharsets.UTF_8) : System.in.readNBytes(limit);
            if (data.length > room.byteSize()) {
                throw new Failure(ExitCodes.USAGE, (string != null ? "TEXT (" + data.length + " bytes)" : "the input")
                        + " does not fit at offset " + offset + " of " + target + " (" + mapping.size() + " bytes, "
                        + room.byteSize() + " from the offset); nothing was written");
            }
            if (string == null && data.length == MAX_ARRAY && System.in.read() >= 0) {
                throw new Failure(ExitCodes.USAGE, "more than " + MAX_ARRAY + " bytes of input: write it in parts "
                        + "with --offset; nothing was written");
            }
            MemorySegment.copy(data, 0, room, JAVA_BYTE, 0, data.length);
        }
        return 0;
    }
}
