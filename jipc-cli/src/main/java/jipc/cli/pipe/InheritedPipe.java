package jipc.cli.pipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Stdio;
import jipc.io.End;
import jipc.io.Fd;
import jipc.io.FileStat;
import jipc.io.ReadEnd;
import jipc.io.WriteEnd;

/**
 * A pipe or FIFO end that this process inherited at some fd number (0 when a shell pipes into jipc), seen through a
 * duplicate: closing it leaves the inherited number open.
 *
 * @param number the inherited fd number
 * @param end    the duplicate, typed by the access mode of the open file description
 * @param target what {@code /proc/self/fd/N} links to: {@code pipe:[inode]} for an anonymous pipe, the path of a FIFO
 */
record InheritedPipe(int number, End end, String target) implements AutoCloseable {
    private static final int O_ACCMODE = 3;
    private static final int O_WRONLY = 1;

    /**
     * The pipe at fd {@code number}.
     *
     * @throws Failure with {@link ExitCodes#NO} if it is open but not a pipe or FIFO
     * @throws jipc.ErrnoException EBADF if it is not open
     */
    static InheritedPipe at(int number) throws IOException {
        Fd fd = Stdio.duplicate(number);
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + number)).toString();
            FileStat stat = fd.stat();
            if (!stat.isFifo()) {
                throw new Failure(ExitCodes.NO, "fd " + number + " is not a pipe: it is a " + stat.typeName()
                        + " (" + target + ")");
            }
            End end = (flags(number) & O_ACCMODE) == O_WRONLY ? new WriteEnd(fd) : new ReadEnd(fd);
            return new InheritedPipe(number, end, target);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The open file description's flags, as the kernel shows them in {@code /proc/self/fdinfo/N} (octal). */
    private static int flags(int number) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + number))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new IOException("/proc/self/fdinfo/" + number + " has no flags line");
    }

    /** Whether this is an anonymous pipe (rather than a FIFO with a name). */
    boolean anonymous() {
        return target.startsWith("pipe:");
    }

    @Override
    public void close() {
        end.close();
    }
}
