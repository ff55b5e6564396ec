package jipc.live;

/**
 * How a party is named in shared memory, and where its token lives. The same rules are in
 * {@code docs/liveness-format.md}; a C program that follows them is judged, and judges, exactly like Java.
 *
 * <pre>
 *   63              48 47              32 31                                0
 *  +------------------+------------------+-----------------------------------+
 *  |    store tag     |   party number   |           token number            |   party id (uint64)
 *  +------------------+------------------+-----------------------------------+
 *   hash of the        1 = the process     random, != 0 and != 0xFFFFFFFF;
 *   /dev/shm it lives  itself; 2..65535:   with the store tag it names the
 *   in (st_dev and     one exclusive role  token file:
 *   st_ino of the      taken by one        /dev/shm/jipc.live.TTTTNNNNNNNN
 *   directory)         instance             (TTTT = tag, NNNNNNNN = number, lower-case hex)
 * </pre>
 *
 * <p>A party id is never 0 (0 means "nobody" in every role word) and never -1 (the mutex's "not recoverable"):
 * the token number is neither 0 nor {@code 0xFFFFFFFF}. Its low 32 bits are the token number alone, so a futex word
 * that holds the low half of an owner word (the mutex) changes with the owning process.
 *
 * <p>The token file is an empty regular file (or one line of text for people: pid and pid namespace) whose byte
 * {@value #LOCK_BYTE} its process holds write-locked with an open file description lock
 * ({@code fcntl(F_OFD_SETLK, F_WRLCK, start 0, len 1)}) for as long as it lives. The file appears under its final
 * name already locked (it is created under {@code NAME.new}, locked, then {@code link}ed), so an unlocked token with
 * its final name is a dead one. Verdicts on a party id:
 * <ul>
 *   <li>alive: the token file exists and {@code F_OFD_GETLK(F_WRLCK)} on its byte 0 reports a lock;</li>
 *   <li>dead: it exists and reports {@code F_UNLCK}; or it does not exist and the store tag is the judge's own
 *       (token files are removed only after their process died);</li>
 *   <li>cannot decide (treated as alive, recovery does not run): the tag names another {@code /dev/shm} than the
 *       judge's, or the file cannot be opened (EACCES, ...).</li>
 * </ul>
 * Inside the process that owns the token, a party is alive while the instance that took it has not given it back.
 */
public final class LivenessDescriptor {
    private LivenessDescriptor() {
    }

    /** Where token files live: the directory POSIX shared memory objects live in, which containers of a pod share. */
    public static final String TOKEN_DIRECTORY = "/dev/shm";
    /** The token file's name before the hex digits. */
    public static final String TOKEN_PREFIX = "jipc.live.";
    /** The suffix of a token file that is not locked and linked yet. */
    public static final String NEW_SUFFIX = ".new";
    /** The byte of the token file whose write lock says "alive". */
    public static final long LOCK_BYTE = 0;

    /** Where the token number (32 bits: which token file of the store) starts in a party id. */
    public static final int TOKEN_NUMBER_SHIFT = 0;
    /** Where the party number (16 bits: which party of that token's process) starts in a party id. */
    public static final int PARTY_NUMBER_SHIFT = 32;
    /** Where the store tag (16 bits: which {@code /dev/shm}) starts in a party id. */
    public static final int STORE_TAG_SHIFT = 48;
    /** The party number that stands for the whole process (the mutex owner, a channel's creator). */
    public static final int PROCESS_PARTY = 1;
    /** The largest party number. */
    public static final int MAX_PARTY = 0xFFFF;

    /**
     * A party id from its three parts.
     *
     * @param storeTag the store tag, 16 bits
     * @param partyNumber the party number, 16 bits, never 0
     * @param tokenNumber the token number, 32 bits
     * @return the 64-bit party id
     */
    public static long partyId(int storeTag, int partyNumber, int tokenNumber) {
        return ((long) (storeTag & 0xFFFF) << STORE_TAG_SHIFT) | ((long) (partyNumber & 0xFFFF) << PARTY_NUMBER_SHIFT)
                | (tokenNumber & 0xFFFF_FFFFL);
    }

    /**
     * The store tag of a party id.
     *
     * @param partyId a party id
     * @return its bits 48 to 63
     */
    public static int storeTag(long partyId) {
        return (int) (partyId >>> STORE_TAG_SHIFT) & 0xFFFF;
    }

    /**
     * The party number of a party id.
     *
     * @param partyId a party id
     * @return its bits 32 to 47
     */
    public static int partyNumber(long partyId) {
        return (int) (partyId >>> PARTY_NUMBER_SHIFT) & 0xFFFF;
    }

    /**
     * The token number of a party id.
     *
     * @param partyId a party id
     * @return its bits 0 to 31
     */
    public static int tokenNumber(long partyId) {
        return (int) partyId;
    }

    /**
     * The token's key: the party id without its party number (what names the file).
     *
     * @param partyId a party id
     * @return the id with the party number bits cleared
     */
    public static long tokenKey(long partyId) {
        return partyId & ~(0xFFFFL << PARTY_NUMBER_SHIFT);
    }

    /**
     * The token file's name (without the directory), e.g. {@code jipc.live.1a2b00c0ffee}.
     *
     * @param partyId a party id
     * @return {@link #TOKEN_PREFIX} and the token key in hex
     */
    public static String tokenFileName(long partyId) {
        return TOKEN_PREFIX + String.format("%04x%08x", storeTag(partyId), tokenNumber(partyId));
    }

    /**
     * Whether {@code fileName} (without the directory) is a token file's final name.
     *
     * @param fileName a file name
     * @return {@code true} if it is {@link #TOKEN_PREFIX} and 12 lower-case hex digits (not a {@link #NEW_SUFFIX} file)
     */
    public static boolean isTokenFileName(String fileName) {
        return fileName.startsWith(TOKEN_PREFIX) && fileName.length() == TOKEN_PREFIX.length() + 12
                && fileName.substring(TOKEN_PREFIX.length()).chars()
                        .allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /**
     * The party id of the whole process for the token a file name names (the inverse of {@link #tokenFileName}).
     *
     * @param tokenFileName a token file's name
     * @return the party id with party number {@link #PROCESS_PARTY}
     */
    public static long processPartyOf(String tokenFileName) {
        long bits = Long.parseUnsignedLong(tokenFileName.substring(TOKEN_PREFIX.length()), 16);
        return partyId((int) (bits >>> 32), PROCESS_PARTY, (int) bits);
    }

    /**
     * The store tag of a token directory from its {@code st_dev} and {@code st_ino}: a 16-bit fold of both, never 0
     * (0 is left for "no tag"). Containers that share one {@code /dev/shm} see one tmpfs and so the same numbers.
     *
     * @param device the directory's {@code st_dev}
     * @param inode the directory's {@code st_ino}
     * @return the tag, 1 to 65535
     */
    public static int storeTag(long device, long inode) {
        long h = device * 0x9E3779B97F4A7C15L ^ inode * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        int tag = (int) (h ^ (h >>> 16)) & 0xFFFF;
        return tag == 0 ? 1 : tag;
    }
}
