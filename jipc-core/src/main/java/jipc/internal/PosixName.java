package jipc.internal;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The naming rule shared by POSIX shared memory ({@code shm_open}) and named semaphores ({@code sem_open}): glibc
 * turns such a name into a file under {@code /dev/shm}, so it must be one path component after a leading '/'.
 */
public final class PosixName {
    private PosixName() {
    }

    /**
     * Checks {@code name}: a leading '/', no other '/', no NUL, 1 to {@code maxBytes} UTF-8 bytes after the '/', and
     * not "." or "..".
     *
     * @param what      what the name is for, as messages say it: "shared memory", "semaphore"
     * @param maxBytes  the longest name after the '/', in bytes
     * @param limitNote how messages name that limit, e.g. {@code "NAME_MAX=255"}
     * @throws IllegalArgumentException naming the rule that {@code name} breaks
     */
    public static void check(String what, String name, int maxBytes, String limitNote) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.charAt(0) != '/') {
            throw new IllegalArgumentException(what + " name \"" + name + "\" must start with '/'");
        }
        if (name.indexOf('/', 1) >= 0) {
            throw new IllegalArgumentException(what + " name \"" + name
                    + "\" must not contain '/' after the first character");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " name \"" + name.replace("\0", "\\0")
                    + "\" must not contain NUL");
        }
        int length = name.substring(1).getBytes(StandardCharsets.UTF_8).length;
        if (length == 0) {
            throw new IllegalArgumentException(what + " name \"/\" needs at least one character after '/'");
        }
        if (length > maxBytes) {
            throw new IllegalArgumentException(what + " name is " + length + " bytes after '/', more than "
                    + limitNote);
        }
        if (name.equals("/.") || name.equals("/..")) {
            throw new IllegalArgumentException(what + " name \"" + name + "\" is not a file name");
        }
    }
}
