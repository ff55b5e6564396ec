package jipc.sync;

import java.lang.foreign.MemorySegment;

/** Argument checks shared by the primitives that live at an offset inside a caller's segment. */
final class Segments {
    private Segments() {
    }

    /**
     * The {@code length} bytes at {@code offset} of {@code segment}, after checking that they can hold a futex-based
     * primitive: a native, writable segment, in bounds, at an address aligned to {@code alignment}.
     */
    static MemorySegment block(MemorySegment segment, long offset, long length, long alignment, String what) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException(what + " needs a native segment (shared memory), not a heap segment");
        }
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException(what + " needs a writable segment: " + segment);
        }
        if (offset < 0 || offset > segment.byteSize() - length) {
            throw new IndexOutOfBoundsException("offset=" + offset + " + length=" + length + " > segment size="
                    + segment.byteSize() + " (" + what + ")");
        }
        long address = segment.address() + offset;
        if (address % alignment != 0) {
            throw new IllegalArgumentException("offset=" + offset + " puts the " + what + " at address 0x"
                    + Long.toHexString(address) + ", not " + alignment + "-byte aligned");
        }
        return segment.asSlice(offset, length);
    }
}
