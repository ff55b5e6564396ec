package jipc.live;

/**
 * An exclusive role (a channel's consumer, the producer of a one-producer channel) is held by another party that is
 * alive, or that jipc cannot judge (then it counts as alive). The C twin returns {@code EBUSY} for the same case;
 * the CLI prints one line and exits 74.
 */
public class RoleTakenException extends IllegalStateException {
    /** The role in words. */
    private final String role;
    /** The holder's party id. */
    private final long holder;
    private final transient PartyState state;

    /**
     * A role held by another party that counts as alive.
     *
     * @param role the role in words, e.g. {@code "the consumer of /orders"}
     * @param holder the holder's party id
     * @param state the verdict on the holder
     * @param holderDescription words for the holder, e.g. its pid and pid namespace
     */
    public RoleTakenException(String role, long holder, PartyState state, String holderDescription) {
        super(role + " is taken: " + holderDescription + " is " + state.word() + " (" + state.reason() + ")");
        this.role = role;
        this.holder = holder;
        this.state = state;
    }

    /**
     * The role, e.g. {@code "the consumer of /orders"}.
     *
     * @return the role's name in words
     */
    public String role() {
        return role;
    }

    /**
     * The holder's party id.
     *
     * @return the party id read from the role word
     */
    public long holder() {
        return holder;
    }

    /**
     * Why the holder counts as alive.
     *
     * @return the verdict ({@code ALIVE} or {@code UNKNOWN}) with its reason; {@code null} after deserialization
     */
    public PartyState holderState() {
        return state;
    }
}
