package jipc.live;

/**
 * An exclusive role (a channel's consumer, the producer of a one-producer channel) is held by another party that is
 * alive, or that jipc cannot judge (then it counts as alive). The C twin returns {@code EBUSY} for the same case;
 * the CLI prints one line and exits 74.
 */
public class RoleTakenException extends IllegalStateException {
    private final String role;
    private final long holder;
    private final transient PartyState state;

    public RoleTakenException(String role, long holder, PartyState state, String holderDescription) {
        super(role + " is taken: " + holderDescription + " is " + state.word() + " (" + state.reason() + ")");
        this.role = role;
        this.holder = holder;
        this.state = state;
    }

    /** The role, e.g. {@code "the consumer of /orders"}. */
    public String role() {
        return role;
    }

    /** The holder's party id. */
    public long holder() {
        return holder;
    }

    /** Why the holder counts as alive. */
    public PartyState holderState() {
        return state;
    }
}
