package jipc.topic;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The test messages of the topic tests, the same in Java and in the C peers: message {@code seq} has a length in
 * [0, max] and bytes that both ends derive from (seed, seq); its type is {@code (seq & 0x3FFFFFFF) + 1}. A subscriber
 * checks each message against the sequence number it expects, so a lost, repeated, reordered or torn message fails.
 */
final class TopicMessages {
    private TopicMessages() {
    }

    static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static int length(long seed, long seq, int max) {
        return (int) Long.remainderUnsigned(mix(seed ^ (seq * 2 + 1)), max + 1);
    }

    static int type(long seq) {
        return (int) (seq & 0x3FFFFFFF) + 1;
    }

    /** Byte {@code i} of message {@code seq}: 8-byte words {@code mix(seed + seq * 65537 + word)}, little-endian. */
    static void fill(MemorySegment out, long seed, long seq, int length) {
        long words = length / 8;
        for (long w = 0; w < words; w++) {
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, w * 8, mix(seed + seq * 65537 + w));
        }
        long last = mix(seed + seq * 65537 + words);
        for (long i = words * 8; i < length; i++) {
            out.set(ValueLayout.JAVA_BYTE, i, (byte) (last >>> (8 * (i - words * 8))));
        }
    }

    /** Fails unless ({@code type}, {@code payload}) is message {@code seq}. */
    static void check(long seed, long seq, int max, int type, MemorySegment payload) {
        if (type != type(seq)) {
            throw new AssertionError("message " + seq + ": type=" + type + ", expected " + type(seq));
        }
        int length = length(seed, seq, max);
        if (payload.byteSize() != length) {
            throw new AssertionError("message " + seq + ": length=" + payload.byteSize() + ", expected " + length);
        }
        long words = length / 8;
        for (long w = 0; w < words; w++) {
            if (payload.get(ValueLayout.JAVA_LONG_UNALIGNED, w * 8) != mix(seed + seq * 65537 + w)) {
                throw new AssertionError("message " + seq + " differs in word " + w + " of " + length + " bytes (torn)");
            }
        }
        long last = mix(seed + seq * 65537 + words);
        for (long i = words * 8; i < length; i++) {
            if (payload.get(ValueLayout.JAVA_BYTE, i) != (byte) (last >>> (8 * (i - words * 8)))) {
                throw new AssertionError("message " + seq + " differs at byte " + i + " (torn)");
            }
        }
    }

    /**
     * Writes chase message {@code seq} of {@code out.byteSize()} bytes (at least 16): {@code seq} in its first 8
     * bytes, {@code ~seq} in its last 8 (native order), and between them the byte {@link #chaseByte} of {@code seq}.
     * A publisher writes these at the speed of a {@code memset}, faster than a subscriber in another process copies
     * them; a copy that mixes two messages fails {@link #checkChase}.
     */
    static void fillChase(MemorySegment out, long seq) {
        long n = out.byteSize();
        out.fill(chaseByte(seq));
        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
        out.set(ValueLayout.JAVA_LONG_UNALIGNED, n - 8, ~seq);
    }

    /** The byte chase message {@code seq} repeats between its first and last word. */
    static byte chaseByte(long seq) {
        return (byte) (mix(seq) >>> 56);
    }

    /** Fails unless ({@code type}, {@code payload}) is chase message {@code seq} of {@code length} bytes, whole. */
    static void checkChase(long seq, int length, int type, MemorySegment payload) {
        if (type != type(seq) || payload.byteSize() != length) {
            throw new AssertionError("message " + seq + ": type=" + type + ", length=" + payload.byteSize()
                    + ", expected " + type(seq) + " and " + length);
        }
        long head = payload.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        long tail = payload.get(ValueLayout.JAVA_LONG_UNALIGNED, length - 8);
        long word = (chaseByte(seq) & 0xFFL) * 0x0101010101010101L;
        for (long i = 8; i < length - 8; i += 8) {
            long w = payload.get(ValueLayout.JAVA_LONG_UNALIGNED, Math.min(i, length - 16));
            if (w != word) {
                throw new AssertionError("message " + seq + " torn: word at " + i + " is " + Long.toHexString(w));
            }
        }
        if (head != seq || tail != ~seq) {
            throw new AssertionError("message " + seq + " torn: first word " + head + ", last word " + ~tail);
        }
    }

    /** Publishes messages {@code first .. first+count-1}, waiting for room (BLOCK) as long as it takes. */
    static void publish(TopicPublisher publisher, long seed, long first, long count, int max)
            throws InterruptedException {
        for (long seq = first; seq < first + count; seq++) {
            int length = length(seed, seq, max);
            MemorySegment room;
            while ((room = publisher.claim(type(seq), length, java.time.Duration.ofSeconds(60))) == null) {
                // waited a minute: keep waiting (the test's own timeout ends a hang)
            }
            fill(room, seed, seq, length);
            publisher.commit();
        }
    }
}
