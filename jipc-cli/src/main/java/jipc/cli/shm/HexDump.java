package jipc.cli.shm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Formats bytes exactly as {@code xxd} does by default, so its output can be compared with (or replaced by) xxd's:
 * <pre>
 * 00000000: 4865 6c6c 6f20 576f 726c 6400 0000 0000  Hello World.....
 * </pre>
 * The address (at least 8 hex digits), 16 bytes in groups of two, and the bytes as ASCII ('.' for anything outside
 * space to '~'). With autoskip ({@code xxd -a}) a run of three or more all-zero lines prints as its first line, a
 * {@code *}, and (at the very end) its last line, which keeps a mostly empty segment short.
 */
final class HexDump {
    private static final int BYTES_PER_LINE = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Appendable out;
    private final boolean autoskip;
    /** xxd's {@code zero_seen}: all-zero lines in the current run (1 printed, the 2nd kept in {@link #kept}). */
    private int zeroRun;
    private String kept;
    /** The latest all-zero line, shown at the very end after a held-back run. */
    private String last;

    private HexDump(Appendable out, boolean autoskip) {
        this.out = out;
        this.autoskip = autoskip;
    }

    /** Writes the lines for {@code bytes}, numbering them from {@code address} (the offset of its first byte). */
    static void dump(MemorySegment bytes, long address, boolean autoskip, Appendable out) throws IOException {
        HexDump dump = new HexDump(out, autoskip);
        long size = bytes.byteSize();
        long at = 0;
        while (at < size) {
            int count = (int) Math.min(BYTES_PER_LINE, size - at);
            boolean zero = true;
            for (int i = 0; i < count; i++) {
                zero &= bytes.get(JAVA_BYTE, at + i) == 0;
            }
            String line = dump.format(bytes, at, count, address + at);
            // As in xxd, only a full line can be skipped: a short last line is always shown.
            dump.line(line, autoskip && zero && count == BYTES_PER_LINE ? Zero.YES : Zero.NO);
            at += count;
        }
        if (autoskip && size > 0 && size % BYTES_PER_LINE == 0) {
            dump.line(null, Zero.END);
        }
    }

    private enum Zero { YES, NO, END }

    /** xxd's {@code xxdline}: prints or holds back one line depending on the run of zero lines it ends or extends. */
    private void line(String line, Zero zero) throws IOException {
        if (zero == Zero.YES) {
            zeroRun++;
            if (zeroRun == 1) {
                out.append(line);       // the first zero line is shown
            } else if (zeroRun == 2) {
                kept = line;            // shown only if the run ends here
            }
            last = line;
            return;
        }
        int run = zero == Zero.END ? zeroRun - 1 : zeroRun; // at the end, the run's last line is shown on its own
        if (run == 2) {
            out.append(kept);
        } else if (run > 2) {
            out.append("*\n");
        }
        if (zero == Zero.NO) {
            out.append(line);
        } else if (zeroRun > 1) {
            out.append(last);
        }
        zeroRun = 0;
    }

    private String format(MemorySegment bytes, long at, int count, long address) {
        StringBuilder s = new StringBuilder(70);
        String hexAddress = Long.toHexString(address);
        s.append("0".repeat(Math.max(0, 8 - hexAddress.length()))).append(hexAddress).append(": ");
        int hexStart = s.length();
        for (int i = 0; i < count; i++) {
            int b = bytes.get(JAVA_BYTE, at + i) & 0xff;
            s.append(HEX[b >>> 4]).append(HEX[b & 0xf]);
            if ((i & 1) == 1) {
                s.append(' ');
            }
        }
        // The hex part is 40 columns wide (16 bytes, a space after each pair), then one more space.
        s.append(" ".repeat(hexStart + 40 - s.length())).append(' ');
        for (int i = 0; i < count; i++) {
            int b = bytes.get(JAVA_BYTE, at + i) & 0xff;
            s.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        }
        return s.append('\n').toString();
    }
}
