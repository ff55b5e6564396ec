package jipc.cli.shm;

import java.io.IOException;
import java.util.Locale;

import jipc.ErrnoException;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SharedMemory;
import jipc.shm.SharedMemoryInfo;
import jipc.shm.SharedMemoryListing;
import jipc.shm.SysVSharedMemory;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one argument every {@code jipc shm} command takes to say which shared memory it means:
 * <ul>
 *   <li>{@code /name}: a POSIX object ({@code shm_open}), the file {@code /dev/shm/name};</li>
 *   <li>{@code key:0x1234} (hex) or {@code key:4660} (decimal): the System V segment of that key
 *       ({@code shmget});</li>
 *   <li>{@code id:32769}: the System V segment with that id, as {@code ipcs -m} and {@code jipc shm ls} show it
 *       (the only way to reach a private segment);</li>
 *   <li>{@code private} (also {@code key:private}, {@code key:0}): only for {@code create}, a new
 *       {@code IPC_PRIVATE} segment.</li>
 * </ul>
 */
public sealed interface ShmTarget {
    /** Help text shared by the commands' TARGET parameter. */
    String SYNTAX = "/name (POSIX), key:0x1234 or id:N (System V)";

    /** A POSIX object. */
    record Posix(String name) implements ShmTarget {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A System V segment found by key. */
    record Key(int key) implements ShmTarget {
        @Override
        public String toString() {
            return String.format("key:0x%08x", key);
        }
    }

    /** A System V segment found by id. */
    record Id(int id) implements ShmTarget {
        @Override
        public String toString() {
            return "id:" + id;
        }
    }

    /** A new System V segment no other process can find by key ({@code IPC_PRIVATE}). */
    record Private() implements ShmTarget {
        @Override
        public String toString() {
            return "private";
        }
    }

    /** Parses the forms in the interface comment; anything else is a usage error saying what is expected. */
    final class Converter implements ITypeConverter<ShmTarget> {
        @Override
        public ShmTarget convert(String value) {
            if (value.startsWith("/")) {
                try {
                    PosixSharedMemory.checkName(value);
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException(e.getMessage());
                }
                return new Posix(value);
            }
            String lower = value.toLowerCase(Locale.ROOT);
            if (lower.equals("private") || lower.equals("key:private") || lower.equals("key:ipc_private")) {
                return new Private();
            }
            if (lower.startsWith("key:")) {
                int key = (int) number(value, value.substring(4), 0xFFFF_FFFFL);
                return key == 0 ? new Private() : new Key(key);
            }
            if (lower.startsWith("id:")) {
                return new Id((int) number(value, value.substring(3), Integer.MAX_VALUE));
            }
            throw new TypeConversionException("'" + value + "' is not a shared memory object: expected " + SYNTAX);
        }

        private static long number(String value, String digits, long max) {
            try {
                long n = digits.startsWith("0x") || digits.startsWith("0X")
                        ? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits);
                if (n >= 0 && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new TypeConversionException("'" + value + "' needs a number from 0 to " + (max == Integer.MAX_VALUE
                    ? String.valueOf(max) : "0x" + Long.toHexString(max)) + " after the ':'");
        }
    }

    /** Opens an existing object to map it read-write. */
    default SharedMemory openReadWrite() throws IOException {
        return switch (this) {
            case Posix p -> PosixSharedMemory.open(p.name());
            case Key k -> SysVSharedMemory.open(k.key());
            case Id i -> ofId(i.id());
            case Private _ -> throw notAnExistingSegment();
        };
    }

    /** Opens an existing object to map it read-only (needs only read permission). */
    default SharedMemory openReadOnly() throws IOException {
        return switch (this) {
            case Posix p -> PosixSharedMemory.openReadOnly(p.name());
            case Key k -> SysVSharedMemory.openReadOnly(k.key());
            case Id i -> ofId(i.id());
            case Private _ -> throw notAnExistingSegment();
        };
    }

    /**
     * Removes the object: {@code shm_unlink} for POSIX, {@code shmctl(IPC_RMID)} for System V (the segment goes when
     * its last process detaches). A key is looked up in {@code /proc/sysvipc/shm}, so removing needs no read or
     * write permission, only ownership, as with {@code ipcrm -M}.
     */
    default void remove() throws IOException {
        switch (this) {
            case Posix p -> PosixSharedMemory.unlink(p.name());
            case Key k -> SysVSharedMemory.remove(idOfKey(k.key()));
            case Id i -> {
                try {
                    SysVSharedMemory.remove(i.id());
                } catch (ErrnoException e) {
                    throw missingId(i.id(), e);
                }
            }
            case Private _ -> throw notAnExistingSegment();
        }
    }

    private static SysVSharedMemory ofId(int id) throws IOException {
        try {
            return SysVSharedMemory.ofId(id);
        } catch (ErrnoException e) {
            throw missingId(id, e);
        }
    }

    /** The id of the live segment with {@code key}, from {@code /proc/sysvipc/shm}. */
    private static int idOfKey(int key) throws IOException {
        for (SharedMemoryInfo info : SharedMemoryListing.systemV()) {
            if (info.key() == key && !info.markedForRemoval()) {
                return info.id();
            }
        }
        throw new Failure(ExitCodes.NO_INPUT, String.format("no System V segment has key 0x%08x", key));
    }

    /**
     * shmctl answers EINVAL (or EIDRM) for an id that names no segment: for a user that is "no such segment", exit 66
     * like ENOENT, not an I/O error.
     */
    private static ErrnoException missingId(int id, ErrnoException e) {
        if (e.is("EINVAL") || e.is("EIDRM")) {
            throw new Failure(ExitCodes.NO_INPUT, "no System V segment has id " + id + " (" + e.getMessage() + ")");
        }
        return e;
    }

    private static Failure notAnExistingSegment() {
        return new Failure(ExitCodes.USAGE, "'private' only creates a new segment; name an existing private one "
                + "by its id (id:N, see 'jipc shm ls')");
    }
}
