package jipc.shm;

import java.util.EnumSet;
import java.util.Set;

import jipc.internal.ShmConstants;

/**
 * File seals for a {@link Memfd} ({@code fcntl(F_ADD_SEALS)}, see {@code memfd_create(2)}): promises the kernel
 * enforces for every process holding the memfd, so a receiver can map memory from a peer it does not trust.
 */
public enum Seal {
    /** No further seals can be added. */
    SEAL(ShmConstants.F_SEAL_SEAL),
    /** The size cannot shrink: a mapping can never be cut short under its user (no SIGBUS from a peer). */
    SHRINK(ShmConstants.F_SEAL_SHRINK),
    /** The size cannot grow. */
    GROW(ShmConstants.F_SEAL_GROW),
    /**
     * The contents cannot change: no writes and no writable shared mappings. Adding it fails with EBUSY while a
     * writable shared mapping exists, so close read-write {@link Mapping}s first.
     */
    WRITE(ShmConstants.F_SEAL_WRITE),
    /** No new writes or writable mappings, while mappings that already exist keep writing (Linux 5.1+). */
    FUTURE_WRITE(ShmConstants.F_SEAL_FUTURE_WRITE);

    final int bit;

    Seal(int bit) {
        this.bit = bit;
    }

    static int bits(Set<Seal> seals) {
        int bits = 0;
        for (Seal s : seals) {
            bits |= s.bit;
        }
        return bits;
    }

    static Set<Seal> of(int bits) {
        Set<Seal> seals = EnumSet.noneOf(Seal.class);
        for (Seal s : values()) {
            if ((bits & s.bit) != 0) {
                seals.add(s);
            }
        }
        return seals;
    }
}
