package jipc.cli.shm;

import java.lang.foreign.MemorySegment;

import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.shm.Mapping;

/** The bytes {@code --offset}/{@code --length} select in a mapping, checked against its size with a clear message. */
final class Span {
    private Span() {
    }

    /**
     * The slice of {@code mapping} from {@code offset}, {@code length} bytes long or to the end if {@code length} is
     * null; a range outside the object is a usage error (exit 64) naming the object and its size.
     */
    static MemorySegment of(Mapping mapping, ShmTarget target, long offset, Long length) {
        long size = mapping.size();
        if (offset > size) {
            throw new Failure(ExitCodes.USAGE, "offset " + offset + " is beyond the end of " + target + " ("
                    + size + " bytes)");
        }
        long count = length == null ? size - offset : length;
        if (count > size - offset) {
            throw new Failure(ExitCodes.USAGE, "offset " + offset + " + length " + count + " is beyond the end of "
                    + target + " (" + size + " bytes)");
        }
        return mapping.segment().asSlice(offset, count);
    }
}
