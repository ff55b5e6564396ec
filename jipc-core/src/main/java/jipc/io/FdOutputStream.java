package jipc.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/** An {@link OutputStream} over an {@link Fd}; waits with poll(2) when a non-blocking descriptor is full. */
final class FdOutputStream extends OutputStream {
    private final Fd fd;

    FdOutputStream(Fd fd) {
        this.fd = fd;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
            if (fd.write(buffer) == 0) {
                fd.awaitWritable(null);
            }
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
