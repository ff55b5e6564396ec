package jipc.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** Makes and commits jipc's events; called only through {@link jipc.internal.Jfr}, which checks for jdk.jfr first. */
public final class JipcEvents {
    private JipcEvents() {
    }

    /** What a wait holds while no recording wants {@code jipc.ChannelWait}: no event, no timestamps. */
    private static final Object NOT_RECORDING = new Object();

    /** Only asked whether the event is enabled (JFR keeps that per event class, not per instance); never committed. */
    private static final ChannelWait PROBE = new ChannelWait();

    /**
     * Starts a {@code jipc.ChannelWait}.
     *
     * @return the started event, or a marker if no recording wants the event now
     */
    public static Object beginWait() {
        // Ask a shared instance first: a new event per sleep escapes (it is returned), so the JIT cannot drop it,
        // and every futex sleep of an unrecorded run allocated one (about 43 bytes; 86 per futex round trip).
        if (!PROBE.isEnabled()) {
            return NOT_RECORDING;
        }
        ChannelWait event = new ChannelWait();
        event.begin();
        return event;
    }

    /**
     * Ends and commits (if a recording wants it) what {@link #beginWait()} returned.
     *
     * @param started what {@link #beginWait()} returned
     * @param object the channel or topic waited on
     * @param side which end waited
     * @param satisfied whether the wait ended with what it waited for
     */
    public static void endWait(Object started, String object, String side, boolean satisfied) {
        if (started instanceof ChannelWait event) {
            event.end();
            if (event.shouldCommit()) {
                event.object = object;
                event.side = side;
                event.satisfied = satisfied;
                event.commit();
            }
        }
    }

    /**
     * Commits a {@code jipc.Recovery} if a recording wants it.
     *
     * @param what the object or role recovered
     * @param action what was done
     * @param dead who died
     * @param deadParty the dead party's id
     */
    public static void recovery(String what, String action, String dead, long deadParty) {
        Recovery event = new Recovery();
        if (event.shouldCommit()) {
            event.what = what;
            event.action = action;
            event.dead = dead;
            event.deadParty = deadParty;
            event.commit();
        }
    }

    /**
     * Commits a {@code jipc.OwnerDied} if a recording wants it.
     *
     * @param mutex the mutex whose owner died
     * @param ownerPid the dead owner's pid
     * @param ownerParty the dead owner's party id
     */
    public static void ownerDied(String mutex, int ownerPid, long ownerParty) {
        OwnerDied event = new OwnerDied();
        if (event.shouldCommit()) {
            event.mutex = mutex;
            event.ownerPid = ownerPid;
            event.ownerParty = ownerParty;
            event.commit();
        }
    }

    @Name("jipc.ChannelWait")
    @Label("Channel Wait")
    @Category("jipc")
    @Description("A blocking channel or topic call that slept in the kernel (FUTEX_WAIT) until the other side woke "
            + "it or its time ran out; one event per call, from its first sleep to its end. Waits that a spin or the "
            + "re-check before sleeping ended are not recorded.")
    static final class ChannelWait extends Event {
        @Label("Object")
        @Description("The channel or topic, e.g. channel /orders")
        String object;

        @Label("Side")
        @Description("Who waited: consumer (for a message), producer (for room), subscriber or publisher")
        String side;

        @Label("Satisfied")
        @Description("Whether what it waited for came (false: its time ran out or it was interrupted)")
        boolean satisfied;
    }

    @Name("jipc.Recovery")
    @Label("Recovery")
    @Category("jipc")
    @Description("jipc recovered from a dead process: a role or slot taken over, a dead producer's claim turned into "
            + "padding, a dead subscriber dropped, a dead consumer's interrupted give-back finished, a dead "
            + "holder's semaphore entry reclaimed.")
    static final class Recovery extends Event {
        @Label("What")
        @Description("What was recovered, e.g. the consumer of channel /orders")
        String what;

        @Label("Action")
        String action;

        @Label("Dead Process")
        @Description("The dead party as its header recorded it, e.g. pid 4242")
        String dead;

        @Label("Dead Party")
        @Description("The dead party's id (jipc.live), 0 if none was recorded")
        long deadParty;
    }

    @Name("jipc.OwnerDied")
    @Label("Mutex Owner Died")
    @Category("jipc")
    @Description("A jipc Mutex lock returned OWNER_DIED: its owner died holding it, and this thread now holds it "
            + "and should repair the data it protects.")
    static final class OwnerDied extends Event {
        @Label("Mutex")
        String mutex;

        @Label("Owner Pid")
        int ownerPid;

        @Label("Owner Party")
        long ownerParty;
    }
}
