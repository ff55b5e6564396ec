package jipc.cli.shm;

import java.util.concurrent.Callable;

import jipc.ErrnoException;
import jipc.cli.Converters;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SharedMemory;
import jipc.shm.SysVSharedMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc shm create TARGET --size SIZE [--mode 0600] [--exclusive]}: creates (or, without {@code --exclusive},
 * opens) a POSIX object or a System V segment and prints how to address it: {@code /name}, or {@code id:N}.
 */
@Command(name = "create", description = {"Create a shared memory object of SIZE zero bytes with exactly MODE (the "
        + "umask does not change it), and print its TARGET: /name, or id:N for a System V segment.",
        "Without --exclusive an existing object is used as it is (a smaller POSIX object is grown to SIZE; a smaller "
                + "System V segment is an error). POSIX objects get all their memory now (fallocate), so a full "
                + "/dev/shm fails here, not later."})
public final class ShmCreate implements Callable<Integer> {
    @Parameters(paramLabel = "TARGET", converter = ShmTarget.Converter.class,
            description = "/name (POSIX), key:0x1234 (System V), or private (a new IPC_PRIVATE System V segment).")
    ShmTarget target;

    @Option(names = {"-s", "--size"}, required = true, paramLabel = "SIZE", converter = Converters.LongByteSize.class,
            description = "Size in bytes: 4096, 64K, 1M, 1G (K = 1024).")
    long size;

    @Option(names = {"-m", "--mode"}, paramLabel = "MODE", defaultValue = "0600",
            converter = Converters.OctalMode.class, description = "Permission bits in octal (default: ${DEFAULT-VALUE}).")
    int mode;

    @Option(names = {"-x", "--exclusive"},
            description = "Fail (exit 73) if the object exists already (O_EXCL / IPC_EXCL).")
    boolean exclusive;

    @Override
    public Integer call() throws Exception {
        try (SharedMemory shm = create()) {
            System.out.println(shm instanceof SysVSharedMemory sysv ? "id:" + sysv.id() : target.toString());
        } catch (ErrnoException e) {
            if (e.syscall().equals("shmget") && e.is("EINVAL")) {
                // The kernel's one answer for a size outside shmmin..shmmax and for an existing, smaller segment.
                throw new Failure(ExitCodes.USAGE, e.getMessage() + ": " + size + " bytes is above kernel.shmmax "
                        + "or larger than the existing segment");
            }
            throw e;
        }
        return 0;
    }

    private SharedMemory create() throws Exception {
        return switch (target) {
            case ShmTarget.Posix p -> exclusive
                    ? PosixSharedMemory.create(p.name(), size, mode)
                    : PosixSharedMemory.openOrCreate(p.name(), size, mode);
            case ShmTarget.Key k -> exclusive
                    ? SysVSharedMemory.create(k.key(), size, mode)
                    : SysVSharedMemory.openOrCreate(k.key(), size, mode);
            case ShmTarget.Private _ -> SysVSharedMemory.createPrivate(size, mode);
            case ShmTarget.Id i -> throw new Failure(ExitCodes.USAGE, "cannot create " + i
                    + ": the kernel chooses ids; create by key:0x... or private, which prints the id");
        };
    }
}
