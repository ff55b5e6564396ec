package jipc.topic;

import jipc.live.PartyState;

/**
 * A snapshot of one occupied subscriber slot, for {@code stat} and monitoring (read from the header, nothing written).
 *
 * @param slot         the slot index, 0..63
 * @param party        the holder's party id
 * @param state        the verdict on the holder (by its liveness token)
 * @param pid          the pid it recorded, in its own pid namespace (display only)
 * @param pidNamespace its pid namespace inode, 0 if unknown (display only)
 * @param cursor       the position of the next record it reads, -1 while it joins
 * @param lagBytes     {@code tail - cursor}: the bytes published that it has not read yet (0 while joining)
 * @param received     messages it has delivered (published at the end of each poll)
 * @param lost         messages it lost to overwriting (OVERWRITE)
 * @param sleeping     whether its bit in the sleeping set is on (it sleeps, or is about to)
 */
public record SubscriberInfo(int slot, long party, PartyState state, int pid, long pidNamespace, long cursor,
                             long lagBytes, long received, long lost, boolean sleeping) {
}
