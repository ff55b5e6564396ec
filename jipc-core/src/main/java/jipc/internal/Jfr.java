package jipc.internal;

import jipc.internal.jfr.JipcEvents;

/**
 * The one door to jipc's JDK Flight Recorder events ({@code jipc.ChannelWait}, {@code jipc.Recovery},
 * {@code jipc.OwnerDied}, in {@link jipc.internal.jfr}). The module only {@code requires static jdk.jfr}: on a runtime
 * without it ({@code --limit-modules java.base}, a jlinked image, the module path without
 * {@code --add-modules jdk.jfr}) {@link #PRESENT} is false and the event classes are never loaded, because every
 * call into {@link JipcEvents} sits behind that constant (the JVM resolves a class when a call to it first runs).
 *
 * <p>Cost: nothing on the per-message path. Events are made only where jipc is about to sleep in the kernel or
 * recovers from a dead process; with no recording running they are checked with {@code isEnabled()} and dropped.
 */
public final class Jfr {
    private Jfr() {
    }

    /** Whether {@code jdk.jfr} is there and readable by this module. */
    public static final boolean PRESENT = present();

    private static boolean present() {
        try {
            Class<?> event = Class.forName("jdk.jfr.Event", false, Jfr.class.getClassLoader());
            return Jfr.class.getModule().canRead(event.getModule());
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * One side's blocking wait that may sleep: {@link #sleeping} just before each {@code FUTEX_WAIT}, {@link #end}
     * when the blocking call stops waiting. One {@code jipc.ChannelWait} per blocking call that slept at least once
     * (not one per 100 ms slice), none for a wait the spin or the re-check ended. Owned by one thread at a time, as
     * the side it belongs to.
     */
    public static final class Wait {
        private final String side;
        /** The event in flight (a {@code jdk.jfr.Event}, or a marker when not recording); null while awake. */
        private Object event;

        /** @param side {@code consumer}, {@code producer}, {@code publisher} or {@code subscriber} */
        public Wait(String side) {
            this.side = side;
        }

        /** The side is about to sleep in the kernel; the first time in a call, the event's clock starts. */
        public void sleeping() {
            if (PRESENT && event == null) {
                event = JipcEvents.beginWait();
            }
        }

        /** The blocking call of {@code object} stops waiting; commits the event if it slept. */
        public void end(String object, boolean satisfied) {
            Object e = event;
            if (e != null) {
                event = null;
                JipcEvents.endWait(e, object, side, satisfied);
            }
        }
    }

    /**
     * A recovery from a dead party: {@code what} (e.g. {@code "the consumer of channel /orders"}) was
     * {@code action} ("taken over", "turned into padding"...), {@code dead} names the dead process as its header
     * recorded it ({@code "pid 4242"}), {@code deadParty} its party id (0 if none).
     */
    public static void recovery(String what, String action, String dead, long deadParty) {
        if (PRESENT) {
            JipcEvents.recovery(what, action, dead, deadParty);
        }
    }

    /** A mutex lock that returned {@code OWNER_DIED}: {@code mutex} names it, {@code ownerPid} the dead owner. */
    public static void ownerDied(String mutex, int ownerPid, long ownerParty) {
        if (PRESENT) {
            JipcEvents.ownerDied(mutex, ownerPid, ownerParty);
        }
    }
}
