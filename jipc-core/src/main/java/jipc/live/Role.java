package jipc.live;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.function.LongFunction;

/**
 * An exclusive role held in a 64-bit word of shared memory: the word holds the holder's party id, 0 when free.
 * Taking it is one compare-and-set (from 0, or from a holder that is certainly dead), so of two takers exactly one
 * wins, whatever their processes or namespaces; giving it back is a compare-and-set from the own id to 0.
 */
public final class Role {
    private Role() {
    }

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    /**
     * Takes the role at {@code offset} of {@code segment} for {@code party}.
     *
     * @param role     what the role is, for the exception ({@code "the consumer of /orders"})
     * @param describe words for a holder's party id (e.g. from the pid the header recorded beside it)
     * @param party the party that takes the role
     * @param offset the role word's offset, 8-byte aligned
     * @param segment the memory holding the role word
     * @return the previous holder's id: 0 if the role was free, else the dead party it was taken over from
     * @throws RoleTakenException if another party holds it that is alive or cannot be judged
     */
    public static long take(MemorySegment segment, long offset, Party party, String role,
                            LongFunction<String> describe) {
        long self = party.id();
        for (;;) {
            long holder = (long) LONG.getVolatile(segment, offset);
            if (holder == self) {
                return 0;
            }
            if (holder != 0) {
                PartyState state = Liveness.check(holder);
                if (!state.isDead()) {
                    throw new RoleTakenException(role, holder, state, describe.apply(holder));
                }
            }
            if ((boolean) LONG.compareAndSet(segment, offset, holder, self)) {
                if (holder != 0) {
                    if (jipc.internal.Jfr.PRESENT) {
                        jipc.internal.Jfr.recovery(role, "taken over from a dead holder", describe.apply(holder),
                                holder);
                    }
                    Liveness.removeDeadToken(holder); // the cleaner's job, done by whoever recovers from the dead
                }
                return holder;
            }
            // another taker or the holder changed the word: judge the new holder
        }
    }

    /**
     * Gives the role back if {@code party} holds it; returns whether it did.
     *
     * @param segment the memory holding the role word
     * @param offset the role word's offset, 8-byte aligned
     * @param party the party that may hold the role
     * @return {@code true} if it held the role and the word is 0 now
     */
    public static boolean giveBack(MemorySegment segment, long offset, Party party) {
        return (boolean) LONG.compareAndSet(segment, offset, party.id(), 0L);
    }

    /**
     * The holder's party id now (acquire load), 0 if free.
     *
     * @param segment the memory holding the role word
     * @param offset the role word's offset, 8-byte aligned
     * @return the party id, or 0
     */
    public static long holder(MemorySegment segment, long offset) {
        return (long) LONG.getAcquire(segment, offset);
    }
}
