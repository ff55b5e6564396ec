package jipc.live;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.Native;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The monitor and the cleaner: {@link #check} tells whether a party recorded in shared memory is alive, dead, or
 * cannot be judged, by testing the lock on its token file (see {@link LivenessDescriptor}); {@link #removeIfDead}
 * removes a dead process's token file. Neither reads {@code /proc} or a clock: the verdict holds across pid and user
 * namespaces, after pid reuse and across clock changes.
 *
 * <p>Cost of a check: {@code open}, {@code fcntl(F_OFD_GETLK)} and {@code close} of the token file (about 3 µs on a
 * virtual machine); none for the parties of this process. jipc checks only where recovery needs a verdict, never per
 * message.
 */
public final class Liveness {
    private Liveness() {
    }

    private static final class Self {
        static final int PID = LibC.getpid();
        static final long PID_NAMESPACE = readPidNamespace();
        static final int STORE_TAG = readStoreTag();
    }

    /**
     * The verdict on {@code partyId}: {@link PartyState.Life#NONE} for 0; for this process's own parties, alive
     * while handed out; otherwise by the token file's lock. Never throws for a forged id: at worst the verdict is
     * "cannot decide" with the reason.
     *
     * @param partyId a party id read from a header, 0 for none
     * @return the verdict with its reason (an {@code open}, {@code fcntl} and {@code close} of the token file)
     */
    public static PartyState check(long partyId) {
        if (partyId == 0) {
            return PartyState.NONE;
        }
        PartyState mine = LivenessToken.mine(partyId);
        if (mine != null) {
            return mine;
        }
        int tag = LivenessDescriptor.storeTag(partyId);
        if (tag != Self.STORE_TAG) {
            return PartyState.unknown(String.format("its token is in another %s (store tag %04x, this one's %04x)",
                    LivenessDescriptor.TOKEN_DIRECTORY, tag, Self.STORE_TAG));
        }
        return checkFile(LivenessDescriptor.TOKEN_DIRECTORY + "/" + LivenessDescriptor.tokenFileName(partyId));
    }

    /** The verdict on the token file at {@code path}: locked, not locked, gone, or not to be opened. */
    private static PartyState checkFile(String path) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = LibC.open(arena.allocateFrom(path),
                    Constants.O_RDONLY | Constants.O_CLOEXEC | Constants.O_NOFOLLOW | Constants.O_NONBLOCK, 0);
            if (fd < 0) {
                int errno = Native.errno();
                if (errno == Errno.ENOENT) {
                    return PartyState.dead("its token " + path + " is gone");
                }
                return PartyState.unknown("cannot open its token: "
                        + Errno.exception("open", Errno.quote(path), errno).getMessage());
            }
            try {
                MemorySegment flock = writeLockOnTheLockByte(arena);
                if (LibC.fcntlLock(fd, Constants.F_OFD_GETLK, flock) < 0) {
                    return PartyState.unknown("cannot test its token: "
                            + Errno.last("fcntl", Errno.quote(path) + ", F_OFD_GETLK").getMessage());
                }
                return flock.get(JAVA_SHORT, Constants.FLOCK_TYPE_OFFSET) == Constants.F_UNLCK
                        ? PartyState.dead("its token " + path + " is not locked")
                        : PartyState.alive("its token " + path + " is locked");
            } finally {
                LibC.close(fd);
            }
        }
    }

    /**
     * A {@code struct flock} for a write lock on the token's lock byte: what the holder sets
     * ({@code F_OFD_SETLK}) and what a judge tests for ({@code F_OFD_GETLK}).
     */
    static MemorySegment writeLockOnTheLockByte(Arena arena) {
        MemorySegment flock = arena.allocate(Constants.FLOCK_SIZE, 8);
        flock.set(JAVA_SHORT, Constants.FLOCK_TYPE_OFFSET, Constants.F_WRLCK);
        flock.set(JAVA_SHORT, Constants.FLOCK_WHENCE_OFFSET, Constants.SEEK_SET);
        flock.set(JAVA_LONG, Constants.FLOCK_START_OFFSET, LivenessDescriptor.LOCK_BYTE);
        flock.set(JAVA_LONG, Constants.FLOCK_LEN_OFFSET, 1);
        flock.set(JAVA_INT, Constants.FLOCK_PID_OFFSET, 0);
        return flock;
    }

    /**
     * The cleaner: removes the token file {@code name} (a file name in {@code /dev/shm}, e.g. from
     * {@link #tokenFiles()}) if its process is dead. A dead token never comes back to life, so removing it changes
     * no verdict: a party whose token is gone is dead too.
     *
     * @param name a token file's name in {@code /dev/shm}
     * @return {@code true} if it was dead and is removed
     * @throws jipc.ErrnoException from {@code unlink}, e.g. EPERM for another user's token in the sticky
     *         {@code /dev/shm}
     */
    public static boolean removeIfDead(String name) throws IOException {
        if (!LivenessDescriptor.isTokenFileName(name) || LivenessToken.isMine(name)) {
            return false;
        }
        String path = LivenessDescriptor.TOKEN_DIRECTORY + "/" + name;
        if (!checkFile(path).isDead()) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            if (LibC.unlink(arena.allocateFrom(path)) < 0) {
                int errno = Native.errno();
                if (errno == Errno.ENOENT) {
                    return false;
                }
                throw Errno.exception("unlink", Errno.quote(path), errno);
            }
            return true;
        }
    }

    /**
     * Removes the token file of the dead party {@code partyId} if it is in this host's store and still there: what
     * a process that took a role over from that party does, so that tokens of crashed processes do not pile up.
     * Best effort: never throws.
     *
     * @param partyId the id of a party judged dead
     */
    public static void removeDeadToken(long partyId) {
        if (LivenessDescriptor.storeTag(partyId) != Self.STORE_TAG || LivenessToken.mine(partyId) != null) {
            return;
        }
        try {
            removeIfDead(LivenessDescriptor.tokenFileName(partyId));
        } catch (IOException | RuntimeException e) {
            // another user's token (EPERM in the sticky /dev/shm), or removed meanwhile: leave it to jipc clean
        }
    }

    /**
     * The verdict on the token file {@code name} in {@code /dev/shm} (for listings).
     *
     * @param name a token file's name in {@code /dev/shm}
     * @return the verdict on the process holding that token
     */
    public static PartyState checkTokenFile(String name) {
        if (LivenessToken.isMine(name)) {
            return PartyState.alive("this process");
        }
        return checkFile(LivenessDescriptor.TOKEN_DIRECTORY + "/" + name);
    }

    /**
     * The names of the token files in {@code /dev/shm} now (a snapshot).
     *
     * @return the names, without the directory
     * @throws IOException if {@code /dev/shm} cannot be listed
     */
    public static List<String> tokenFiles() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of(LivenessDescriptor.TOKEN_DIRECTORY),
                LivenessDescriptor.TOKEN_PREFIX + "*")) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (LivenessDescriptor.isTokenFileName(name)) {
                    names.add(name);
                }
            }
        }
        names.sort(null);
        return names;
    }

    /**
     * This process's pid in its own pid namespace (for display beside a party id).
     *
     * @return the pid
     */
    public static int selfPid() {
        return Self.PID;
    }

    /**
     * The inode of this process's pid namespace ({@code /proc/self/ns/pid}), 0 if it cannot be read.
     *
     * @return the inode number, or 0
     */
    public static long selfPidNamespace() {
        return Self.PID_NAMESPACE;
    }

    /**
     * The store tag of this process's {@code /dev/shm} ({@link LivenessDescriptor#storeTag(long, long)}).
     *
     * @return the tag, 1 to 65535
     */
    public static int storeTag() {
        return Self.STORE_TAG;
    }

    static int ownStoreTag() {
        return Self.STORE_TAG;
    }

    /**
     * Words for a party whose header also recorded a pid and pid namespace (display only), e.g.
     * {@code "pid 2 in another pid namespace (4026532841)"}.
     *
     * @param pid the recorded pid, 0 if none
     * @param pidNamespace the recorded pid namespace inode, 0 if unknown
     * @return words for people, never empty
     */
    public static String describe(int pid, long pidNamespace) {
        if (pidNamespace == 0 || pidNamespace == Self.PID_NAMESPACE) {
            return "pid " + pid;
        }
        return "pid " + pid + " in another pid namespace (" + pidNamespace + ")";
    }

    private static long readPidNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(); // "pid:[4026531836]"
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static int readStoreTag() {
        try {
            Path dir = Path.of(LivenessDescriptor.TOKEN_DIRECTORY);
            long device = ((Number) Files.getAttribute(dir, "unix:dev")).longValue();
            long inode = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
            return LivenessDescriptor.storeTag(device, inode);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + LivenessDescriptor.TOKEN_DIRECTORY
                    + ", where jipc keeps liveness tokens", e);
        }
    }
}
