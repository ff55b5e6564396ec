package jipc.cli.pipe;

import java.util.concurrent.Callable;

import jipc.io.ReadEnd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jipc pipe stat [FD]}: whether fd N is a pipe, its capacity and how many bytes wait in it. */
@Command(name = "stat", description = {"Tell whether fd FD (default 0, standard input) is a pipe or FIFO, and print "
        + "its capacity and the bytes queued in it, one 'key: value' per line.",
        "Exits 1 if FD is open but not a pipe."},
        footer = {"%nExample:%n  echo hello | jipc pipe stat        # capacity: 65536, queued: 6"})
public final class PipeStat implements Callable<Integer> {
    @Parameters(paramLabel = "FD", arity = "0..1", defaultValue = "0", description = "The fd number (default: 0).")
    int number;

    @Override
    public Integer call() throws Exception {
        try (InheritedPipe pipe = InheritedPipe.at(number)) {
            System.out.println("fd: " + number);
            System.out.println("type: " + (pipe.anonymous() ? "pipe" : "fifo"));
            System.out.println("name: " + pipe.target());
            System.out.println("end: " + (pipe.end() instanceof ReadEnd ? "read" : "write"));
            System.out.println("blocking: " + (pipe.end().isBlocking() ? "yes" : "no"));
            System.out.println("capacity: " + pipe.end().pipeCapacity());
            System.out.println("queued: " + pipe.end().fd().available());
        }
        return 0;
    }
}
