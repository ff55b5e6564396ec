package jipc.shm;

/**
 * One shared memory object as {@link SharedMemoryListing} finds it, with what the kernel tells about it: a row of
 * {@code jipc shm ls}.
 *
 * @param kind         POSIX ({@code /dev/shm}) or System V
 * @param name         a POSIX object's name ({@code /name}); for System V the key as {@code 0x%08x}
 * @param key          the System V key ({@code 0} for private or removed segments and for POSIX objects)
 * @param id           the System V id; {@code -1} for POSIX objects
 * @param size         size in bytes
 * @param uid          owner
 * @param mode         permission bits ({@code & 0777})
 * @param attachCount  System V attachments; {@code -1} for POSIX objects (the kernel does not count them)
 * @param creatorPid   System V creator process; {@code 0} for POSIX objects (not recorded)
 * @param lastPid      System V process of the last attach or detach; {@code 0} for POSIX objects
 * @param creator      whether the creator process still exists
 * @param markedForRemoval a System V segment removed but still attached ({@code SHM_DEST})
 */
public record SharedMemoryInfo(Kind kind, String name, int key, int id, long size, int uid, int mode,
                               long attachCount, int creatorPid, int lastPid, Liveness creator,
                               boolean markedForRemoval) {

    /** Which kind of shared memory. */
    public enum Kind {
        /** A POSIX object: a file in {@code /dev/shm} ({@link PosixSharedMemory}). */
        POSIX,
        /** A System V segment ({@link SysVSharedMemory}). */
        SYSV
    }

    /** Whether a recorded process still exists. */
    public enum Liveness {
        /** The recorded process exists now. */
        ALIVE,
        /** The recorded process no longer exists. */
        DEAD,
        /** Not recorded (POSIX objects keep no creator), or recorded as pid 0 (a pid namespace not visible here). */
        UNKNOWN
    }

    /**
     * The mode as {@code ls} would show the permission part, e.g. {@code rw-------}.
     *
     * @return nine characters, {@code r}, {@code w}, {@code x} or {@code -} for owner, group and others
     */
    public String modeString() {
        StringBuilder s = new StringBuilder(9);
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = mode >> shift;
            s.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }
}
