package jipc.cli.demo;

import java.io.IOException;

import jipc.cli.Narrator;
import jipc.shm.Mapping;
import jipc.shm.SysVSharedMemory;

/** The child of {@code jipc demo shm}: attaches the segment whose id is its argument, writes the message, detaches. */
public final class ShmDemoChild {
    private ShmDemoChild() {
    }

    public static void main(String[] args) throws IOException {
        Narrator child = Narrator.child();
        int id = Integer.parseInt(args[0]);
        child.say("started with argument " + id + ", the segment id.");
        try (SysVSharedMemory shm = SysVSharedMemory.ofId(id); Mapping mapping = shm.map()) {
            child.say("shmat(" + id + ", NULL, 0) attached it at address 0x"
                            + Long.toHexString(mapping.segment().address()) + " (" + mapping.size()
                            + " bytes, read-write).",
                    "Same physical memory as the parent's segment; my address need not be the same as theirs.");
            long written = mapping.setString(0, ShmDemo.MESSAGE);
            child.say("wrote \"" + ShmDemo.MESSAGE + "\" and a NUL (" + written + " bytes) at offset 0: plain "
                    + "stores into memory, no system call.");
        }
        child.say("shmdt() detached the segment; it stays for the parent. Exiting with code 0.");
    }
}
