/**
 * Finding shared objects whose processes are provably gone, for {@code jipc shm ls} (the STALE column) and
 * {@code jipc clean}: {@link jipc.stale.StaleObjects#scan()} judges every object of
 * {@link jipc.shm.SharedMemoryListing}, {@link jipc.stale.StaleObjects#removeIfStale} judges one again and removes it
 * only if it is still stale.
 *
 * <p>"Provably" means by recorded process identities (pid and start time), never by a timer. An object that records
 * no process is {@link jipc.stale.Staleness#UNKNOWN} and never removed. The rules are in
 * {@link jipc.stale.StaleObjects}.
 */
package jipc.stale;
