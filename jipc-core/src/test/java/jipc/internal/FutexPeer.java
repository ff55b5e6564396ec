package jipc.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;

/** A child JVM for {@link FutexWaitersTest}: sets the int at OFFSET of shm NAME to 1 and wakes its sleepers. */
public final class FutexPeer {
    private FutexPeer() {
    }

    public static void main(String[] args) throws Exception {
        try (PosixSharedMemory shm = PosixSharedMemory.open(args[0]); Mapping mapping = shm.map()) {
            MemorySegment word = mapping.segment().asSlice(Long.parseLong(args[1]), 4);
            word.set(ValueLayout.JAVA_INT, 0, 1);
            System.out.println("woke " + Futex.wake(word, Integer.MAX_VALUE));
        }
    }
}
