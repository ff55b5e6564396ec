package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * The test messages every cross-process channel test sends, identical in Java and in {@code src/test/c/channel_peer.c}:
 * message {@code seq} has a length in [1, max] and content that both ends derive from (seed, seq), type
 * {@code (seq & 0x3FFFFFFF) + 1}, and, when at least 12 bytes long, the sequence number (little-endian) in its first
 * 8 bytes and the CRC32C of everything before them in its last 4. A lost, duplicated, reordered or torn message
 * fails the check with the sequence number it expected.
 */
final class Messages {
    private Messages() {
    }

    static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static int length(long seed, long seq, int max) {
        return 1 + (int) Long.remainderUnsigned(mix(seed + 2 * seq), max);
    }

    static int type(long seq) {
        return (int) (seq & 0x3FFFFFFF) + 1;
    }

    /** Writes message {@code seq} into {@code out[0, length)} and returns its length. */
    static int fill(byte[] out, long seed, long seq, int max) {
        int length = length(seed, seq, max);
        long h = mix(seed + 2 * seq + 1);
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (h + i * 31L);
        }
        if (length >= 12) {
            MemorySegment m = MemorySegment.ofArray(out);
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
            CRC32C crc = new CRC32C();
            crc.update(out, 0, length - 4);
            m.set(ValueLayout.JAVA_INT_UNALIGNED, length - 4, (int) crc.getValue());
        }
        return length;
    }

    /** Checks that ({@code type}, {@code payload}) is message {@code seq}; {@code scratch} holds at least max bytes. */
    static void check(long seed, long seq, int max, int type, MemorySegment payload, byte[] scratch) {
        if (type != type(seq)) {
            throw new AssertionError("message " + seq + ": type=" + type + ", expected " + type(seq)
                    + " (lost, duplicated or reordered)");
        }
        int length = fill(scratch, seed, seq, max);
        if (payload.byteSize() != length) {
            throw new AssertionError("message " + seq + ": length=" + payload.byteSize() + ", expected " + length);
        }
        if (length >= 12) {
            long carried = payload.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            if (carried != seq) {
                throw new AssertionError("message " + seq + " carries sequence number " + carried);
            }
            CRC32C crc = new CRC32C();
            crc.update(payload.asSlice(0, length - 4).asByteBuffer());
            int carriedCrc = payload.get(ValueLayout.JAVA_INT_UNALIGNED, length - 4);
            if ((int) crc.getValue() != carriedCrc) {
                throw new AssertionError("message " + seq + ": CRC32C 0x" + Integer.toHexString((int) crc.getValue())
                        + " != carried 0x" + Integer.toHexString(carriedCrc) + " (torn)");
            }
        }
        long mismatch = MemorySegment.mismatch(payload, 0, length, MemorySegment.ofArray(scratch), 0, length);
        if (mismatch >= 0) {
            throw new AssertionError("message " + seq + " differs at byte " + mismatch + " of " + length);
        }
    }

    /** Receives messages {@code first .. first+count-1} within {@code timeoutPerPoll} each; fails on any defect. */
    static void receive(MessageChannel channel, long seed, long first, long count, int max,
                        java.time.Duration timeoutPerPoll) throws InterruptedException {
        byte[] scratch = new byte[max];
        long[] next = {first};
        long end = first + count;
        while (next[0] < end) {
            int n = channel.poll((type, payload) -> {
                if (next[0] >= end) {
                    throw new AssertionError("message beyond the last one expected (" + end + "), type " + type);
                }
                check(seed, next[0], max, type, payload, scratch);
                next[0]++;
            }, timeoutPerPoll);
            if (n == 0) {
                throw new AssertionError("no message within " + timeoutPerPoll + " after " + (next[0] - first)
                        + " of " + count + " (next expected: " + next[0] + ")");
            }
        }
    }
}
