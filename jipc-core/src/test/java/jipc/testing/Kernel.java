package jipc.testing;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Facts about this process and kernel that tests adapt to, read from /proc. */
public final class Kernel {
    /** Linux capability number of CAP_SYS_RESOURCE (may exceed pipe-max-size, among others). */
    public static final int CAP_SYS_RESOURCE = 24;

    private Kernel() {
    }

    /** Whether this process holds {@code capability} in its effective set ({@code CapEff} of /proc/self/status). */
    public static boolean hasCapability(int capability) throws IOException {
        return statusMask(Path.of("/proc/self/status"), "CapEff").testBit(capability);
    }

    /** A hexadecimal mask line (SigBlk, SigIgn, CapEff...) of a /proc/.../status file. */
    public static BigInteger statusMask(Path status, String field) throws IOException {
        return mask(Files.readAllLines(status), field);
    }

    /** The hexadecimal mask of {@code field} among status lines such as {@code "SigBlk:\t0000000000000000"}. */
    public static BigInteger mask(List<String> lines, String field) {
        for (String line : lines) {
            if (line.startsWith(field + ":")) {
                return new BigInteger(line.substring(field.length() + 1).trim(), 16);
            }
        }
        throw new AssertionError("no " + field + " line in " + lines);
    }

    /** {@code /proc/sys/fs/pipe-max-size}: the largest pipe an unprivileged process may ask for. */
    public static int pipeMaxSize() throws IOException {
        return sysctl("/proc/sys/fs/pipe-max-size");
    }

    /** {@code /proc/sys/kernel/pid_max}: pids of this namespace, and of every new one, are below it. */
    public static int pidMax() throws IOException {
        return sysctl("/proc/sys/kernel/pid_max");
    }

    private static int sysctl(String path) throws IOException {
        // One read with a large buffer: sysctl files answer only a read at offset 0, and Files.readString reads a
        // file of reported size 0 in pieces (it got "1" of "1048576").
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            byte[] buffer = new byte[64];
            int n = in.read(buffer);
            return Integer.parseInt(new String(buffer, 0, n, StandardCharsets.US_ASCII).trim());
        }
    }

    /** The effective user id of this process (the second number of the {@code Uid:} line of /proc/self/status). */
    public static int effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.split("\\s+")[2]);
            }
        }
        throw new AssertionError("no Uid line in /proc/self/status");
    }

    /** Whether {@code fd} is open in this process. */
    public static boolean isOpen(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** What this process's {@code fd} points to ({@code readlink /proc/self/fd/N}), e.g. {@code pipe:[1234]}. */
    public static String target(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }
}
