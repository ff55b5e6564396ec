package jipc.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/** An {@link InputStream} over an {@link Fd}; waits with poll(2) when a non-blocking descriptor is empty. */
final class FdInputStream extends InputStream {
    private final Fd fd;

    FdInputStream(Fd fd) {
        this.fd = fd;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        if (len == 0) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        for (;;) {
            int n = fd.read(buffer);
            if (n != 0) {
                return n;
            }
            fd.awaitReadable(null);
        }
    }

    @Override
    public int available() throws IOException {
        return fd.available();
    }

    @Override
    public void close() {
        fd.close();
    }
}
