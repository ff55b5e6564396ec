package jipc.pipe;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

import jipc.io.ReadEnd;
import jipc.io.WriteEnd;

/**
 * A two-way byte stream made of two pipes, the classic answer to "pipes are one-way".
 *
 * <p>{@link #open()} makes both pipes and returns the two sides: {@link #local()} for this process and
 * {@link #remote()} to hand to a child (typically its read end on fd 0 and its write end on fd 1, or 3 and 4).
 * Each side is a {@link ByteChannel} that reads what the other side writes.
 */
public final class Duplex implements AutoCloseable {
    private final Side local;
    private final Side remote;

    private Duplex(Side local, Side remote) {
        this.local = local;
        this.remote = remote;
    }

    /**
     * Creates the two pipes (four descriptors, all close-on-exec).
     *
     * @return the pair; close it to close every end still open here
     * @throws IOException {@link jipc.ErrnoException} EMFILE/ENFILE when the process or system is out of descriptors
     */
    public static Duplex open() throws IOException {
        Pipe toRemote = Pipe.open();
        Pipe toLocal;
        try {
            toLocal = Pipe.open();
        } catch (IOException | RuntimeException e) {
            toRemote.close();
            throw e;
        }
        return new Duplex(new Side(toLocal.source(), toRemote.sink()), new Side(toRemote.source(), toLocal.sink()));
    }

    /**
     * This process's side.
     *
     * @return the ends this process keeps
     */
    public Side local() {
        return local;
    }

    /**
     * The other process's side: place {@link Side#in()} and {@link Side#out()} in the child.
     *
     * @return the ends to hand to the child
     */
    public Side remote() {
        return remote;
    }

    /** Closes all four ends this process still holds. Idempotent. */
    @Override
    public void close() {
        local.close();
        remote.close();
    }

    /**
     * One side of a duplex: {@link #in()} reads what the other side wrote, {@link #out()} writes to the other side.
     *
     * @param in  the read end of the pipe coming from the other side
     * @param out the write end of the pipe going to the other side
     */
    public record Side(ReadEnd in, WriteEnd out) implements ByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return in.read(dst);
        }

        /**
         * One {@code read(2)} from the incoming pipe into a segment; see {@link ReadEnd#read(MemorySegment)}.
         *
         * @param dst where the bytes go
         * @return the number of bytes read, {@code -1} at end of file
         * @throws IOException {@link jipc.ErrnoException} if {@code read} fails
         */
        public int read(MemorySegment dst) throws IOException {
            return in.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return out.write(src);
        }

        /**
         * One {@code write(2)} of a segment to the outgoing pipe; see {@link WriteEnd#write(MemorySegment)}.
         *
         * @param src the bytes to write
         * @return the number of bytes written
         * @throws IOException {@link jipc.BrokenPipeException} if the other side closed its incoming end
         */
        public int write(MemorySegment src) throws IOException {
            return out.write(src);
        }

        /** Closes the outgoing pipe only, so the other side sees EOF while this side can still read the reply. */
        public void shutdownOutput() {
            out.close();
        }

        @Override
        public boolean isOpen() {
            return in.isOpen() || out.isOpen();
        }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }
}
