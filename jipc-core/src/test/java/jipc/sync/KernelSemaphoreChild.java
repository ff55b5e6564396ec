package jipc.sync;

/**
 * The child JVM of {@link SysVSemaphoreSetTest}: {@code hold ID}: takes semaphore 0 of set ID with {@code SEM_UNDO},
 * tells the parent by releasing semaphore 1 (without undo, so that the signal survives the child), then waits to be
 * killed. Exit codes: 0 never (it is killed), 2 bad usage, 3 interrupted.
 */
public final class KernelSemaphoreChild {
    private KernelSemaphoreChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("hold")) {
            System.exit(2);
        }
        SysVSemaphoreSet set = SysVSemaphoreSet.ofId(Integer.parseInt(args[1]));
        set.acquire(0);
        set.undo(false).release(1);
        // Hold until SIGKILL: wait on a semaphore nobody releases (index 0 is ours and taken).
        set.undo(true).acquire(0);
        System.exit(3);
    }
}
