package jipc.live;

/**
 * A verdict on a party: {@link Life#ALIVE}, {@link Life#DEAD}, {@link Life#UNKNOWN} (jipc cannot decide, and so
 * treats the party as alive: recovery does not run) or {@link Life#NONE} (no party is recorded), with the reason in
 * words, e.g. {@code "its token /dev/shm/jipc.live.1a2b00c0ffee is locked"}.
 */
public record PartyState(Life life, String reason) {
    public enum Life { ALIVE, DEAD, UNKNOWN, NONE }

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

    /** Certainly dead: only then may anyone take over what the party held. */
    public boolean isDead() {
        return life == Life.DEAD;
    }

    /** Alive, or undecidable (which counts as alive). */
    public boolean mayBeAlive() {
        return life == Life.ALIVE || life == Life.UNKNOWN;
    }

    /** {@code "alive"}, {@code "dead"}, {@code "alive?"} (cannot decide) or {@code "none"}. */
    public String word() {
        return switch (life) {
            case ALIVE -> "alive";
            case DEAD -> "dead";
            case UNKNOWN -> "alive?";
            case NONE -> "none";
        };
    }
}
