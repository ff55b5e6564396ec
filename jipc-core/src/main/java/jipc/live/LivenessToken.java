package jipc.live;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

import jipc.ErrnoException;
import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;


/**
 * This process's liveness token: a file {@code /dev/shm/jipc.live.*} whose byte 0 the process holds write-locked
 * with an open file description lock for as long as it runs (see {@link LivenessDescriptor}). The kernel drops the
 * lock when the process dies, and that is the only thing anyone else's verdict rests on.
 *
 * <p>A process has one token per <em>access class</em>: the permission bits and group of the shared objects its
 * parties appear in, so that whoever may open the object may open the token that judges its users, and nobody else
 * (a stranger who could open a token could also hold a read lock on it and keep a dead party looking alive). The
 * default class is {@code 0600} and the process's group. Tokens are made on first use and kept until the JVM exits;
 * the descriptor is {@code O_CLOEXEC}, so no child process inherits the lock.
 *
 * <p>{@link #newParty()} hands out party numbers for exclusive roles (one per instance that takes a role: a second
 * instance in the same process is a second party and is refused too).
 *
 * <p>A process never removes its own token file, not even at exit: while it exits, shutdown hooks and other threads
 * still run and may take a role or lock a mutex at any moment (even after a hook of ours had looked), and a party
 * whose token is gone is dead to everyone. The file stays, unlocked once the process is dead, until a cleaner removes
 * it: whoever takes a role over from the dead party, {@code jipc clean}, or the next process that makes its first
 * token, which removes the dead tokens it finds ({@link Liveness#removeIfDead}).
 *
 * <p>Cost: making a token is an {@code fstat} of {@code /dev/shm}, {@code open}, {@code fchmod}, {@code fcntl} and
 * {@code renameat2}, once per access class; the first one of a process also lists {@code /dev/shm} and tests (and
 * perhaps removes) each token file there: three or four system calls per file. A party number is a bit in a
 * {@link BitSet}.
 */
public final class LivenessToken {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Token key ({@link LivenessDescriptor#tokenKey}) → token, for "is this party one of mine". */
    private static final Map<Long, LivenessToken> BY_KEY = new HashMap<>();
    /** Access class → its current token. */
    private static final Map<Long, LivenessToken> BY_ACCESS = new HashMap<>();

    private final long key;
    private final int fd;
    private final String path;
    private final BitSet parties = new BitSet();

    private LivenessToken(long key, int fd, String path) {
        this.key = key;
        this.fd = fd;
        this.path = path;
        parties.set(LivenessDescriptor.PROCESS_PARTY);
    }

    /**
     * The token for objects of mode {@code 0600} owned by this process's group: what parties use by default.
     *
     * @return the token, made on first use (a file in {@code /dev/shm}, locked) and kept for the life of the process
     * @throws IOException {@link jipc.ErrnoException} from making the token file ({@code open}, {@code fchmod},
     *     {@code fcntl}, {@code link})
     */
    public static LivenessToken standard() throws IOException {
        return forAccess(0600, -1);
    }

    /**
     * {@link #forAccess} with {@code object}'s permission bits and group ({@code fstat}): the token for parties
     * that appear in that object (a channel, topic or rpc object), so that whoever may open the object may judge
     * them, and nobody else.
     *
     * @param object an open descriptor of the shared object
     * @return the token for that access class
     * @throws IOException {@link jipc.ErrnoException} from {@code fstat} or from making the token file
     */
    public static LivenessToken forObject(jipc.io.Fd object) throws IOException {
        jipc.io.FileStat stat = object.stat();
        return forAccess(stat.permissions() & 0777, stat.gid());
    }

    /**
     * The token for parties of an object with permission bits {@code mode} and group {@code gid} ({@code -1}: this
     * process's group): the token file gets the same bits (each write bit also grants read, as judging needs only
     * read) and, where this process may set it, the same group.
     *
     * @param mode the object's permission bits
     * @param gid the object's group, {@code -1} for this process's group
     * @return the token, made on first use and kept for the life of the process
     * @throws IOException {@link jipc.ErrnoException} from making the token file ({@code open}, {@code fchmod},
     *     {@code fcntl}, {@code link})
     */
    public static LivenessToken forAccess(int mode, int gid) throws IOException {
        int bits = (mode & 0666) | ((mode & 0222) << 1) | 0600;
        if (gid == jipc.internal.LibC.getegid()) {
            gid = -1; // our own group is what a new file gets anyway: one token, not two
        }
        long access = ((long) gid << 32) | bits;
        synchronized (LivenessToken.class) {
            LivenessToken token = BY_ACCESS.get(access);
            if (token == null) {
                boolean first = BY_KEY.isEmpty();
                token = make(bits & 0777, gid);
                BY_ACCESS.put(access, token);
                BY_KEY.put(token.key, token);
                if (first) {
                    removeDeadTokens();
                }
            }
            return token;
        }
    }

    /**
     * The party id that stands for this whole process (the mutex owner, a channel's creator).
     *
     * @return the party id with party number {@link LivenessDescriptor#PROCESS_PARTY}
     */
    public long processParty() {
        return key | ((long) LivenessDescriptor.PROCESS_PARTY << LivenessDescriptor.PARTY_NUMBER_SHIFT);
    }

    /**
     * The token file's path, e.g. {@code /dev/shm/jipc.live.1a2b00c0ffee}.
     *
     * @return the absolute path
     */
    public String path() {
        return path;
    }

    /**
     * A new party of this process for one exclusive role; {@link Party#close()} gives its number back.
     *
     * @return the party; close it when its role is given back
     * @throws IllegalStateException if all 65534 party numbers are in use in this process
     */
    public Party newParty() {
        synchronized (LivenessToken.class) {
            int number = parties.nextClearBit(LivenessDescriptor.PROCESS_PARTY + 1);
            if (number > LivenessDescriptor.MAX_PARTY) {
                throw new IllegalStateException("all " + (LivenessDescriptor.MAX_PARTY - 1)
                        + " party numbers of this process are in use");
            }
            parties.set(number);
            return new Party(this, key | ((long) number << LivenessDescriptor.PARTY_NUMBER_SHIFT));
        }
    }

    void release(long partyId) {
        synchronized (LivenessToken.class) {
            parties.clear(LivenessDescriptor.partyNumber(partyId));
        }
    }

    /**
     * The verdict on a party of one of this process's tokens, or {@code null} if {@code partyId} is not ours: alive
     * while its number is handed out (the process party always is).
     */
    static PartyState mine(long partyId) {
        synchronized (LivenessToken.class) {
            LivenessToken token = BY_KEY.get(LivenessDescriptor.tokenKey(partyId));
            if (token == null) {
                return null;
            }
            int number = LivenessDescriptor.partyNumber(partyId);
            return token.parties.get(number)
                    ? PartyState.alive("this process")
                    : PartyState.dead("a party of this process that was given back");
        }
    }

    /** Whether the file {@code name} in the token directory is one of this process's live tokens. */
    static boolean isMine(String name) {
        synchronized (LivenessToken.class) {
            for (LivenessToken token : BY_KEY.values()) {
                if (token.path.endsWith("/" + name)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The cleaner's share of making the first token of a process: removes the token files of dead processes (killed
     * ones, and every process that ended, as none removes its own). Files of other users that cannot be judged or
     * removed (EACCES, EPERM in the sticky {@code /dev/shm}) are left; nothing here fails the caller.
     */
    private static void removeDeadTokens() {
        try {
            for (String name : Liveness.tokenFiles()) {
                try {
                    boolean unused = Liveness.removeIfDead(name);
                } catch (IOException e) {
                    // another user's dead token: theirs, or jipc clean's as root, to remove
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable /dev/shm: nothing to clean from here
        }
    }

    private static LivenessToken make(int mode, int gid) throws IOException {
        int tag = Liveness.ownStoreTag();
        for (int attempt = 0; ; attempt++) {
            int number = RANDOM.nextInt();
            if (number == 0 || number == -1) {
                continue;
            }
            long key = LivenessDescriptor.tokenKey(LivenessDescriptor.partyId(tag, 0, number));
            String path = LivenessDescriptor.TOKEN_DIRECTORY + "/" + LivenessDescriptor.tokenFileName(key);
            String newPath = path + LivenessDescriptor.NEW_SUFFIX;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cNew = arena.allocateFrom(newPath);
                int fd = LibC.open(cNew, Constants.O_RDWR | Constants.O_CREAT | Constants.O_EXCL
                        | Constants.O_CLOEXEC | Constants.O_NOFOLLOW, 0600);
                if (fd < 0) {
                    int errno = jipc.internal.Native.errno();
                    if (errno == Errno.EEXIST && attempt < 100) {
                        continue;
                    }
                    throw Errno.exception("open", Errno.quote(newPath) + ", O_CREAT|O_EXCL", errno);
                }
                boolean linked = false;
                try {
                    if (gid >= 0 && LibC.fchown(fd, -1, gid) < 0) {
                        // not a member of the object's group: the token keeps ours, and peers of the group
                        // that cannot read it will say "cannot decide" (never "dead") about our parties
                    }
                    if (LibC.fchmod(fd, mode) < 0) {
                        throw Errno.last("fchmod", Errno.quote(newPath) + ", 0" + Integer.toOctalString(mode));
                    }
                    lock(fd, newPath, arena);
                    describeSelf(fd, arena);
                    if (!publish(cNew, arena.allocateFrom(path), newPath, path)) {
                        if (attempt < 100) {
                            continue; // a token (perhaps a dead one) has this number: draw another
                        }
                        throw Errno.exception("renameat2", Errno.quote(newPath) + ", " + Errno.quote(path),
                                Errno.EEXIST);
                    }
                    linked = true;
                    return new LivenessToken(key, fd, path);
                } finally {
                    if (!linked) {
                        LibC.unlink(cNew);
                        LibC.close(fd);
                    }
                }
            }
        }
    }

    /**
     * Gives the locked {@code .new} file its final name without ever replacing a file of that name: renameat2 with
     * RENAME_NOREPLACE (so that {@code /proc/PID/fd} shows the final name), or link and unlink where the file system
     * lacks it. Returns {@code false} if the name is taken.
     */
    private static boolean publish(MemorySegment cNew, MemorySegment cFinal, String newPath, String path)
            throws ErrnoException {
        if (LibC.renameat2(Constants.AT_FDCWD, cNew, Constants.AT_FDCWD, cFinal, Constants.RENAME_NOREPLACE) == 0) {
            return true;
        }
        int errno = jipc.internal.Native.errno();
        if (errno == Errno.EEXIST || errno == Errno.ENOENT) {
            // EEXIST: the number is taken; ENOENT: our .new name was removed before we could rename it (a concurrent
            // `jipc clean` sees an unlocked .new file as a dead process's): either way, draw another number
            return false;
        }
        if (errno != Errno.EINVAL && errno != Errno.ENOSYS) {
            throw Errno.exception("renameat2", Errno.quote(newPath) + ", " + Errno.quote(path) + ", RENAME_NOREPLACE",
                    errno);
        }
        if (LibC.link(cNew, cFinal) < 0) {
            errno = jipc.internal.Native.errno();
            if (errno == Errno.EEXIST || errno == Errno.ENOENT) {
                return false;
            }
            throw Errno.exception("link", Errno.quote(newPath) + ", " + Errno.quote(path), errno);
        }
        LibC.unlink(cNew);
        return true;
    }

    private static void lock(int fd, String path, Arena arena) throws ErrnoException {
        MemorySegment flock = Liveness.writeLockOnTheLockByte(arena);
        if (LibC.fcntlLock(fd, Constants.F_OFD_SETLK, flock) < 0) {
            throw Errno.last("fcntl", Errno.quote(path) + ", F_OFD_SETLK");
        }
    }

    /** One line for people who look at the file: who holds it. Nothing reads it for a verdict. */
    private static void describeSelf(int fd, Arena arena) {
        byte[] line = ("pid " + Liveness.selfPid() + " pidns " + Liveness.selfPidNamespace() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        MemorySegment buf = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, line);
        long unused = LibC.write(fd, buf, line.length);
    }

    @Override
    public String toString() {
        return "LivenessToken[" + path + "]";
    }
}
