package jipc.live;

/**
 * A verdict on a party: {@link Life#ALIVE}, {@link Life#DEAD}, {@link Life#UNKNOWN} (jipc cannot decide, and so
 * treats the party as alive: recovery does not run) or {@link Life#NONE} (no party is recorded), with the reason in
 * words, e.g. {@code "its token /dev/shm/jipc.live.1a2b00c0ffee is locked"}.
 *
 * @param life the verdict
 * @param reason the reason in words, for messages and listings
 */
public record PartyState(Life life, String reason) {
    /** What a verdict says about a party. */
    public enum Life {
        /** Its token file is there and locked: the process lives. */
        ALIVE,
        /** Its token file is gone or unlocked: the process has ended, and what it held may be taken over. */
        DEAD,
        /**
         * jipc cannot tell (the token cannot be opened or tested from here, or it is in another {@code /dev/shm}):
         * counts as alive.
         */
        UNKNOWN,
        /** No party is recorded (the id is 0). */
        NONE
    }

    static PartyState alive(String reason) {
        return new PartyState(Life.ALIVE, reason);
    }

    static PartyState dead(String reason) {
        return new PartyState(Life.DEAD, reason);
    }

    static PartyState unknown(String reason) {
        return new PartyState(Life.UNKNOWN, reason);
    }

    static final PartyState NONE = new PartyState(Life.NONE, "none recorded");

    /**
     * Certainly dead: only then may anyone take over what the party held.
     *
     * @return {@code true} only for {@link Life#DEAD}
     */
    public boolean isDead() {
        return life == Life.DEAD;
    }

    /**
     * Alive, or undecidable (which counts as alive).
     *
     * @return {@code true} for {@link Life#ALIVE} and {@link Life#UNKNOWN}
     */
    public boolean mayBeAlive() {
        return life == Life.ALIVE || life == Life.UNKNOWN;
    }

    /**
     * {@code "alive"}, {@code "dead"}, {@code "alive?"} (cannot decide) or {@code "none"}.
     *
     * @return one word for tables
     */
    public String word() {
        return switch (life) {
            case ALIVE -> "alive";
            case DEAD -> "dead";
            case UNKNOWN -> "alive?";
            case NONE -> "none";
        };
    }
}
