package jipc.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import jipc.io.WriteEnd;
import jipc.process.Spawn;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.Test;

/**
 * PIPE_BUF atomicity with several writer processes: records of exactly {@link WriteEnd#PIPE_BUF} bytes, each one
 * write(2), never interleave. (Larger writes may interleave; that is allowed, not guaranteed, so it is not asserted.)
 */
class PipeAtomicityTest {
    private static final int WRITERS = 4;
    private static final int RECORDS = 300;

    @Test
    void recordsOfPipeBufBytesFromSeveralWriterProcessesArriveWhole() throws Exception {
        String writer = Gcc.program("record_writer").toString();
        List<Capture> writers = new ArrayList<>();
        try (Pipe pipe = Pipe.open()) {
            try {
                for (int id = 1; id <= WRITERS; id++) {
                    writers.add(Capture.start(
                            Spawn.command(writer, String.valueOf(id), String.valueOf(RECORDS)).shareFd(3, pipe.sink())));
                }
                pipe.sink().close(); // only the writers hold write ends now: EOF when the last one exits

                int[] nextSequence = new int[WRITERS + 1];
                ByteBuffer record = ByteBuffer.allocateDirect(WriteEnd.PIPE_BUF).order(ByteOrder.nativeOrder());
                int total = 0;
                for (;;) {
                    record.clear();
                    try {
                        pipe.source().readFully(record);
                    } catch (EOFException e) {
                        assertEquals(0, record.position(), "the stream ended inside a record");
                        break;
                    }
                    int id = record.getInt(0);
                    int sequence = record.getInt(4);
                    if (id < 1 || id > WRITERS) {
                        throw new AssertionError("record " + total + " has writer id " + id + ": torn record");
                    }
                    assertEquals(nextSequence[id], sequence, "writer " + id + "'s records out of order");
                    byte fill = (byte) (id * 31 + sequence);
                    for (int i = 8; i < WriteEnd.PIPE_BUF; i++) {
                        if (record.get(i) != fill) {
                            throw new AssertionError("record " + total + " (writer " + id + ", #" + sequence
                                    + ") has a foreign byte at offset " + i + ": interleaved");
                        }
                    }
                    nextSequence[id]++;
                    total++;
                }
                for (Capture w : writers) {
                    w.finish().assertSuccess();
                }
                for (int id = 1; id <= WRITERS; id++) {
                    assertEquals(RECORDS, nextSequence[id], "records from writer " + id);
                }
                assertEquals(WRITERS * RECORDS, total);
            } finally {
                for (Capture w : writers) {
                    w.close();
                }
            }
        }
    }
}
