package jipc.cli.clean;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import jipc.ErrnoException;
import jipc.cli.ExitCodes;
import jipc.cli.shm.ShmTarget;
import jipc.shm.SharedMemoryInfo;
import jipc.stale.StaleObjects;
import jipc.stale.Staleness;
import jipc.stale.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jipc clean [--dry-run] [TARGET...]}: removes the shared objects that {@code jipc shm ls} shows as stale,
 * and nothing else.
 */
@Command(name = "clean", description = {"Remove stale shared memory: objects whose recorded processes are all "
        + "provably gone (STATE 'stale' in 'jipc shm ls'). Objects in use, and objects that record no process "
        + "(STATE 'unknown'), are left alone.",
        "Stale means: a System V segment with nobody attached whose creator and last attacher are gone (pid reuse "
                + "is seen through the segment's times); a jipc channel whose creator, consumer and producers (a jipc "
                + "topic whose creator, publisher and subscribers) are all dead by their liveness tokens (right "
                + "across containers) and that no process of this pid namespace maps or holds open; a liveness token (/dev/shm/jipc.live.*) whose process is dead. "
                + "Each object is judged again right before it is removed.",
        "Without TARGETs, every stale object of this user (of every user for root); with TARGETs, only those. "
                + "Prints one line per object, then a summary. Exit 0, or 74 if a removal failed, 66 if a TARGET "
                + "does not exist."})
public final class Clean implements Callable<Integer> {
    @Parameters(paramLabel = "TARGET", arity = "0..*", converter = ShmTarget.Converter.class,
            description = "Only these objects: " + ShmTarget.SYNTAX + ".")
    List<ShmTarget> targets = new ArrayList<>();

    @Option(names = {"-n", "--dry-run"}, description = "Only list what would be removed.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        List<Verdict> all = StaleObjects.scan();
        int exit = ExitCodes.OK;
        List<Verdict> chosen = new ArrayList<>();
        if (targets.isEmpty()) {
            int uid = effectiveUid();
            for (Verdict verdict : all) {
                if (uid == 0 || verdict.object().uid() == uid) {
                    chosen.add(verdict);
                }
            }
        } else {
            for (ShmTarget target : targets) {
                Verdict found = find(all, target);
                if (found == null) {
                    System.err.println("jipc clean: no shared memory object " + target);
                    exit = ExitCodes.NO_INPUT;
                } else if (!chosen.contains(found)) {
                    chosen.add(found);
                }
            }
        }
        int posix = 0;
        int sysv = 0;
        int inUse = 0;
        int unknown = 0;
        StringBuilder out = new StringBuilder();
        for (Verdict verdict : chosen) {
            if (!verdict.isStale()) {
                if (verdict.staleness() == Staleness.IN_USE) {
                    inUse++;
                } else {
                    unknown++;
                }
                if (!targets.isEmpty()) {
                    out.append("left     ").append(line(verdict)).append('\n');
                }
                continue;
            }
            Verdict done = verdict;
            if (!dryRun) {
                try {
                    done = StaleObjects.removeIfStale(verdict.object());
                } catch (ErrnoException e) {
                    System.out.print(out);
                    out.setLength(0);
                    System.out.flush();
                    System.err.println("jipc clean: " + verdict.target() + ": " + e.getMessage());
                    exit = ExitCodes.IO_ERROR;
                    continue;
                }
                if (done == null) {
                    continue; // removed by someone else meanwhile
                }
                if (!done.isStale()) {
                    // In use again since the listing (say a new consumer attached): left alone.
                    out.append("left     ").append(line(done)).append('\n');
                    inUse += done.staleness() == Staleness.IN_USE ? 1 : 0;
                    unknown += done.staleness() == Staleness.UNKNOWN ? 1 : 0;
                    continue;
                }
            }
            out.append(dryRun ? "would remove " : "removed  ").append(line(done)).append('\n');
            if (done.object().kind() == SharedMemoryInfo.Kind.SYSV) {
                sysv++;
            } else {
                posix++;
            }
        }
        int stale = posix + sysv;
        out.append(dryRun ? "would remove " : "removed ").append(stale).append(stale == 1 ? " stale object" : " stale objects")
                .append(" (").append(posix).append(" posix, ").append(sysv).append(" sysv); left ")
                .append(inUse).append(" in use, ").append(unknown).append(" unknown")
                .append(dryRun ? " (dry run: nothing removed)" : "").append('\n');
        System.out.print(out);
        System.out.flush();
        return exit;
    }

    /** The effective uid: the second number of the {@code Uid:} line of {@code /proc/self/status}. */
    private static int effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.split("\\s+")[2]);
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    private static String line(Verdict verdict) {
        boolean sysv = verdict.object().kind() == SharedMemoryInfo.Kind.SYSV;
        return (sysv ? "sysv  " : "posix ") + verdict.target() + "  " + verdict.reason();
    }

    private static Verdict find(List<Verdict> all, ShmTarget target) {
        for (Verdict verdict : all) {
            SharedMemoryInfo info = verdict.object();
            boolean match = switch (target) {
                case ShmTarget.Posix p -> info.kind() == SharedMemoryInfo.Kind.POSIX && info.name().equals(p.name());
                case ShmTarget.Key k -> info.kind() == SharedMemoryInfo.Kind.SYSV && info.key() == k.key()
                        && !info.markedForRemoval();
                case ShmTarget.Id i -> info.kind() == SharedMemoryInfo.Kind.SYSV && info.id() == i.id();
                case ShmTarget.Private _ -> false;
            };
            if (match) {
                return verdict;
            }
        }
        return null;
    }
}
