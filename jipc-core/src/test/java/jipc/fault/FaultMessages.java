package jipc.fault;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * The messages of the fault and soak tests: each names its sender and carries a checksum, so a receiver can tell a
 * whole message from a torn one and knows which producer incarnation's which sequence number it is.
 *
 * <pre>
 *   0        8          12            16                          length-4     length
 *   +--------+----------+-------------+---------------------------+------------+
 *   | seq    | producer | incarnation | filler (seq, producer...) | CRC32C     |
 *   +--------+----------+-------------+---------------------------+------------+
 * </pre>
 * All little-endian; the CRC32C covers bytes {@code [0, length-4)}. The length is a function of (producer,
 * incarnation, seq) in {@code [MIN_LENGTH, max]}, the type is {@code producer + 1}.
 */
final class FaultMessages {
    static final int MIN_LENGTH = 20;
    /** The largest message the tests use: room for the expected bytes a check compares with. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    private FaultMessages() {
    }

    /** Who sent a message, and which of its messages it is. */
    record Id(int producer, int incarnation, long seq) {
    }

    static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long key(int producer, int incarnation, long seq) {
        return mix(seq * 0x100000001L + ((long) producer << 40) + incarnation);
    }

    static int length(int producer, int incarnation, long seq, int max) {
        if (max < MIN_LENGTH) {
            throw new IllegalArgumentException("max=" + max + " < MIN_LENGTH=" + MIN_LENGTH);
        }
        return MIN_LENGTH + (int) Long.remainderUnsigned(key(producer, incarnation, seq), max - MIN_LENGTH + 1);
    }

    static int type(int producer) {
        return producer + 1;
    }

    /** Writes the message into {@code out} and returns its length. */
    static int fill(MemorySegment out, int producer, int incarnation, long seq, int max) {
        int length = length(producer, incarnation, seq, max);
        long h = key(producer, incarnation, seq);
        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
        out.set(ValueLayout.JAVA_INT_UNALIGNED, 8, producer);
        out.set(ValueLayout.JAVA_INT_UNALIGNED, 12, incarnation);
        for (int i = 16; i < length - 4; i++) {
            out.set(ValueLayout.JAVA_BYTE, i, (byte) (h + i * 31L));
        }
        out.set(ValueLayout.JAVA_INT_UNALIGNED, length - 4, crc(out, length));
        return length;
    }

    /** {@link #fill(MemorySegment, int, int, long, int)} into an array. */
    static int fill(byte[] out, int producer, int incarnation, long seq, int max) {
        return fill(MemorySegment.ofArray(out), producer, incarnation, seq, max);
    }

    /**
     * Checks a received message completely (type, length, checksum, every filler byte) and returns whose it is.
     *
     * @throws AssertionError naming the defect (torn, wrong length, wrong type)
     */
    static Id check(int type, MemorySegment payload, int max) {
        long size = payload.byteSize();
        if (size < MIN_LENGTH || size > max) {
            throw new AssertionError("message of " + size + " bytes: not in [" + MIN_LENGTH + ", " + max + "] (torn)");
        }
        int length = (int) size;
        int carried = payload.get(ValueLayout.JAVA_INT_UNALIGNED, length - 4);
        if (carried != crc(payload, length)) {
            throw new AssertionError("message of " + length + " bytes: CRC32C mismatch (torn)");
        }
        Id id = new Id(payload.get(ValueLayout.JAVA_INT_UNALIGNED, 8), payload.get(ValueLayout.JAVA_INT_UNALIGNED, 12),
                payload.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        if (type != type(id.producer())) {
            throw new AssertionError(id + ": type=" + type + ", expected " + type(id.producer()));
        }
        int expected = length(id.producer(), id.incarnation(), id.seq(), max);
        if (length != expected) {
            throw new AssertionError(id + ": length=" + length + ", expected " + expected);
        }
        byte[] bytes = SCRATCH.get();
        fill(bytes, id.producer(), id.incarnation(), id.seq(), max);
        long mismatch = MemorySegment.mismatch(payload, 0, length, MemorySegment.ofArray(bytes), 0, length);
        if (mismatch >= 0) {
            throw new AssertionError(id + ": wrong byte at " + mismatch);
        }
        return id;
    }

    private static int crc(MemorySegment message, int length) {
        CRC32C crc = new CRC32C();
        crc.update(message.asSlice(0, length - 4).asByteBuffer());
        return (int) crc.getValue();
    }
}
