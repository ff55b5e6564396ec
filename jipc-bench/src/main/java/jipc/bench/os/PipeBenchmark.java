package jipc.bench.os;

import java.util.List;

/**
 * {@code jipc bench --only pipe}: anonymous pipes and FIFOs between two processes, jipc's {@link jipc.pipe.Pipe} and
 * {@link jipc.fifo.Fifo} ends in two JVMs beside two C processes using {@code read(2)}/{@code write(2)} on pipes of the
 * same capacity ({@value StreamBenchmark#PIPE_CAPACITY} bytes), and the pipe's round trips once more with jipc's peers
 * on a virtual thread ({@code "jipc pipe (virtual thread)"}). See {@link StreamBenchmark} for what is measured.
 */
public final class PipeBenchmark extends StreamBenchmark {
    public PipeBenchmark() {
        super(List.of(Stream.PIPE, Stream.FIFO));
    }

    @Override
    public String id() {
        return "pipe";
    }
}
