package jipc.cli.demo;

import java.io.IOException;
import java.util.concurrent.Callable;

import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.cli.Narrator;
import jipc.process.ChildProcess;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.SysVSharedMemory;
import jipc.shm.SysVStat;
import picocli.CommandLine.Command;

/**
 * {@code jipc demo shm}: the classic System V shared memory example. The parent creates a private segment, a child
 * ({@link ShmDemoChild} in a fresh JVM, given the segment id as its argument) attaches, writes "Hello World",
 * detaches and exits; the parent waits for it, attaches, reads the message, detaches and removes the segment. The
 * segment is removed at the end whatever happens, also on Ctrl-C (a shutdown hook), so none is left in
 * {@code ipcs -m}.
 */
@Command(name = "shm", description = "A child writes \"Hello World\" into a System V shared memory segment; the "
        + "parent reads it after the child exits.")
public final class ShmDemo implements Callable<Integer> {
    /** What the child writes. */
    static final String MESSAGE = "Hello World";
    /** The segment's size: a page, the smallest the kernel gives (it rounds every size up to pages). */
    static final int SIZE = 4096;

    @Override
    public Integer call() throws Exception {
        Narrator.title("== demo shm: a child writes into System V shared memory, the parent reads ==");
        Narrator parent = Narrator.parent();
        SysVSharedMemory shm = SysVSharedMemory.createPrivate(SIZE);
        int id = shm.id();
        try (Demos.Cleanup _ = Demos.atExit("jipc-demo-shm-cleanup", () -> remove(shm))) {
            parent.say("shmget(IPC_PRIVATE, " + SIZE + ", IPC_CREAT|0600) created segment id " + id + ".",
                    "A private key: no other process can find it by key, so the child gets the id as an argument.",
                    "A System V segment belongs to no process: it stays in 'ipcs -m' until IPC_RMID removes it.");
            long childPid;
            try (ChildProcess child = Spawn.java(ShmDemoChild.class, Integer.toString(id)).start()) {
                childPid = child.pid();
                parent.say("posix_spawnp() started child pid " + childPid + " (a JVM running "
                        + ShmDemoChild.class.getSimpleName() + " " + id + ").");
                Demos.awaitChild(parent, child);
            }
            SysVStat stat = shm.stat();
            parent.say("shmctl(IPC_STAT): " + stat.attachCount() + " processes attached; created by pid "
                            + stat.creatorPid() + whose(stat.creatorPid(), childPid) + ",",
                    "last attached or detached by pid " + stat.lastPid() + whose(stat.lastPid(), childPid)
                            + ".");
            try (Mapping mapping = shm.mapReadOnly()) {
                parent.say("shmat(" + id + ", NULL, SHM_RDONLY) attached it at address 0x"
                        + Long.toHexString(mapping.segment().address()) + " (read-only).");
                String message = mapping.getString(0);
                if (message.isEmpty()) {
                    throw new Failure(ExitCodes.SOFTWARE, "the segment is empty: the child wrote nothing");
                }
                parent.say("Message from child: " + message);
            }
            parent.say("shmdt() detached the segment.");
        }
        parent.say("shmctl(" + id + ", IPC_RMID) removed the segment: nothing is attached, so the kernel freed it "
                + "at once. Done.");
        return 0;
    }

    /** " (me)" or " (the child)" after a pid from the segment's record, so the narration says who did what. */
    private static String whose(long pid, long childPid) {
        return pid == ProcessHandle.current().pid() ? " (me)" : pid == childPid ? " (the child)" : "";
    }

    /** Detaches and removes the segment; reports a failure instead of throwing (it also runs at exit). */
    private static void remove(SysVSharedMemory shm) {
        shm.close();
        try {
            shm.remove();
        } catch (IOException e) {
            System.err.println("jipc demo shm: could not remove segment id " + shm.id() + ": " + e.getMessage()
                    + " (ipcrm -m " + shm.id() + " removes it)");
        }
    }
}
