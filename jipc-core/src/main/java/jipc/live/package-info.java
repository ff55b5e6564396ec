/**
 * Who is alive, as the kernel vouches: each process holds an open-file-description lock on a small token file in
 * {@code /dev/shm}, and anyone who wants to know whether it still runs tests that lock. The kernel drops the lock
 * when the process dies, whatever pid namespace, user namespace or clock the process and its judge live in, so
 * "dead" never means "silent for N seconds" or "its pid is not in my {@code /proc}".
 *
 * <p>Three roles, one class each (the shape of iceoryx2's monitoring): the <em>token</em> a live process holds
 * ({@link jipc.live.LivenessToken}, handing out {@link jipc.live.Party} ids), the <em>monitor</em> anyone can ask
 * ({@link jipc.live.Liveness#check}), and the <em>cleaner</em> that removes the token files of the dead
 * ({@link jipc.live.Liveness#removeIfDead}). Shared structures record a party by its 64-bit id
 * ({@link jipc.live.LivenessDescriptor}); {@link jipc.live.Role} takes and gives back an exclusive role held in such
 * a word. The byte-level rules for other languages are in {@code docs/liveness-format.md}.
 */
package jipc.live;
