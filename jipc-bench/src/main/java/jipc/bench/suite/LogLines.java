package jipc.bench.suite;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The stream a step writes its verbose log to: bytes are cut into lines (UTF-8) and each line handed to
 * {@code sink} (the progress display, which prints it above the bar, and the report's log file).
 */
final class LogLines extends OutputStream {
    private final Consumer<String> sink;
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

    LogLines(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            pending.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            write(bytes[i]);
        }
    }

    /** Hands on an unfinished last line, if any. */
    @Override
    public synchronized void flush() {
        // a partial line stays pending until its newline or close: a line is never cut in two
    }

    @Override
    public synchronized void close() {
        if (pending.size() > 0) {
            emit();
        }
    }

    private void emit() {
        String line = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        sink.accept(line);
    }
}
