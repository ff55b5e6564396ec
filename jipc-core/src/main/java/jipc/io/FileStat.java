package jipc.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import jipc.ErrnoException;
import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the kernel says about a file or descriptor ({@code struct stat}): its type, permission bits, owner and size.
 *
 * @param device the device id ({@code st_dev})
 * @param inode  the inode number ({@code st_ino})
 * @param mode   type and permission bits ({@code st_mode})
 * @param uid    owner ({@code st_uid})
 * @param gid    group ({@code st_gid})
 * @param size   size in bytes ({@code st_size})
 */
public record FileStat(long device, long inode, int mode, int uid, int gid, long size) {

    /** {@code fstat(fd)}. */
    static FileStat of(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Constants.STAT_SIZE, 8);
            if (LibC.fstat(fd, buf) < 0) {
                throw Errno.last("fstat", "fd " + fd);
            }
            return read(buf);
        }
    }

    /**
     * {@code lstat(path)}: a symbolic link is reported as a link, never followed.
     *
     * @param path the path to look at
     * @return what {@code lstat} says
     * @throws ErrnoException ENOENT if nothing is there, EACCES if a directory on the way may not be searched
     */
    public static FileStat ofLink(String path) throws ErrnoException {
        Objects.requireNonNull(path, "path");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Constants.STAT_SIZE, 8);
            if (LibC.lstat(arena.allocateFrom(path), buf) < 0) {
                throw Errno.last("lstat", Errno.quote(path));
            }
            return read(buf);
        }
    }

    private static FileStat read(MemorySegment buf) {
        return new FileStat(
                buf.get(JAVA_LONG, Constants.STAT_DEV_OFFSET),
                buf.get(JAVA_LONG, Constants.STAT_INO_OFFSET),
                buf.get(JAVA_INT, Constants.STAT_MODE_OFFSET),
                buf.get(JAVA_INT, Constants.STAT_UID_OFFSET),
                buf.get(JAVA_INT, Constants.STAT_GID_OFFSET),
                buf.get(JAVA_LONG, Constants.STAT_SIZE_OFFSET));
    }

    /**
     * The permission bits, e.g. {@code 0600}.
     *
     * @return the low 12 bits of the mode (permissions, setuid, setgid, sticky)
     */
    public int permissions() {
        return mode & 07777;
    }

    /**
     * Whether this is a FIFO: a named pipe, or an anonymous pipe seen through its descriptor.
     *
     * @return {@code true} for {@code S_IFIFO}
     */
    public boolean isFifo() {
        return (mode & Constants.S_IFMT) == Constants.S_IFIFO;
    }

    /**
     * Whether this is a symbolic link (only {@link #ofLink(String)} can see one).
     *
     * @return {@code true} for {@code S_IFLNK}
     */
    public boolean isSymbolicLink() {
        return (mode & Constants.S_IFMT) == Constants.S_IFLNK;
    }

    /**
     * Whether this is a regular file.
     *
     * @return {@code true} for {@code S_IFREG}
     */
    public boolean isRegularFile() {
        return (mode & Constants.S_IFMT) == Constants.S_IFREG;
    }

    /**
     * Whether this is a directory.
     *
     * @return {@code true} for {@code S_IFDIR}
     */
    public boolean isDirectory() {
        return (mode & Constants.S_IFMT) == Constants.S_IFDIR;
    }

    /**
     * A word for the file type, as {@code ls -l} would describe it: "fifo", "regular file", "directory"...
     *
     * @return a lower-case word for people
     */
    public String typeName() {
        return switch (mode & Constants.S_IFMT) {
            case Constants.S_IFIFO -> "fifo";
            case Constants.S_IFREG -> "regular file";
            case Constants.S_IFDIR -> "directory";
            case Constants.S_IFLNK -> "symbolic link";
            case Constants.S_IFSOCK -> "socket";
            case Constants.S_IFCHR -> "character device";
            default -> "file of type 0" + Integer.toOctalString(mode & Constants.S_IFMT);
        };
    }
}
