package jipc.stale;

/** What {@link StaleObjects} can prove about the processes of one shared object. */
public enum Staleness {
    /** Some process that may use it may still run: left alone. */
    IN_USE,
    /** Every process it records is provably gone and no process holds it: safe to remove. */
    STALE,
    /** It records no process (or cannot be read): nothing can be proven, so it is left alone. */
    UNKNOWN
}
