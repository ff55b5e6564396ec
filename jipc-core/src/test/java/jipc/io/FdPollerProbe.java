package jipc.io;

/** Test access to {@link FdPoller}'s count of parked threads. */
public final class FdPollerProbe {
    private FdPollerProbe() {
    }

    public static int waiting() {
        return FdPoller.waiting();
    }
}
