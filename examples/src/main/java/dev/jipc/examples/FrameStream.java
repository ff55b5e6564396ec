/*
 * FrameStream: Java produces a stream of frames into a jipc channel in shared memory and a C program consumes them.
 *
 * Shows: SharedChannel.create (POSIX shared memory, mode 0600), zero-copy tryClaim/commit into the ring, put() that
 * waits for room while the C consumer (built from native/jipc_channel.c) is behind, Spawn to start the C side, and
 * removing the name at the end. The C side checks every frame and exits 0 only if all came whole and in order.
 *
 *   java --enable-native-access=ALL-UNNAMED -cp ... dev.jipc.examples.FrameStream FRAMES PATH/TO/frame_sink
 */
package dev.jipc.examples;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import jipc.channel.OneToOneChannel;
import jipc.channel.SharedChannel;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

public final class FrameStream {
    static final int FRAME = 1;
    static final int END = 2;

    public static void main(String[] args) throws Exception {
        int frames = Integer.parseInt(args[0]);
        String sink = args[1];
        String name = "/jipc-example-frames-" + ProcessHandle.current().pid();

        // 64 KiB ring, frames of up to 4 KiB: the C side keeps up, or put() waits for it.
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, 4096);
                ChildProcess consumer = Spawn.command(sink, name).start()) {
            OneToOneChannel out = shared.channel();
            long bytes = 0;
            for (long seq = 0; seq < frames; seq++) {
                int n = (int) (seq * 37 % 4000);          // payload lengths from 0 to 3999 bytes
                MemorySegment frame = claim(out, FRAME, 12 + n);
                frame.set(JAVA_LONG_UNALIGNED, 0, seq);   // x86-64 is little-endian, as the C side reads it
                frame.set(JAVA_INT_UNALIGNED, 8, n);
                for (int i = 0; i < n; i++) {
                    frame.set(ValueLayout.JAVA_BYTE, 12 + i, (byte) (seq + i));
                }
                out.commit();                             // publishes the record; wakes the C side if it sleeps
                bytes += n;
            }
            MemorySegment end = claim(out, END, 8);
            end.set(JAVA_LONG_UNALIGNED, 0, frames);
            out.commit();
            ExitStatus status = consumer.waitFor();
            System.out.printf("FrameStream (Java): sent %d frames, %d payload bytes; C consumer: %s%n", frames, bytes,
                    status);
            shared.unlink();
            if (!status.success()) {
                System.exit(1);
            }
        } finally {
            SharedChannel.unlinkIfExists(name);
        }
    }

    /** Room for one record in the ring, waiting (up to 10 s) while it is full. */
    private static MemorySegment claim(OneToOneChannel out, int type, int length) throws InterruptedException {
        MemorySegment slot = out.claim(type, length, Duration.ofSeconds(10));
        if (slot == null) {
            throw new IllegalStateException("no room in the ring for 10 s: is the C consumer running?");
        }
        return slot;
    }
}
