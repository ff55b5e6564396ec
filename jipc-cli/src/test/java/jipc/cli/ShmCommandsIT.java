package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.shm.SysVSharedMemory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code jipc shm ...} run as the packaged jar in its own JVM, checked against what the kernel and the standard tools
 * say: the file in {@code /dev/shm}, {@code xxd}, {@code ipcs -m}, {@code /proc/sysvipc/shm}, Python's json parser.
 * Every object gets a name or key unique to this run and is removed in a finally block.
 */
class ShmCommandsIT {
    private static final long PID = ProcessHandle.current().pid();
    /** The System V segments jipc processes created for these tests, by id, with their keys. */
    private static final Map<Integer, Long> CREATED_BY_JIPC = new ConcurrentHashMap<>();

    /** Nothing these tests made may outlive them: no POSIX name of theirs, no segment of theirs or of this JVM. */
    @AfterAll
    static void nothingIsLeftBehind() throws Exception {
        try (Stream<Path> names = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), names.filter(p -> p.getFileName().toString().startsWith("jipc-it-" + PID + "-"))
                    .toList(), "left in /dev/shm");
        }
        assertEquals(List.of(), SysvRow.all().stream()
                .filter(r -> r.creatorPid() == PID || r.key() == CREATED_BY_JIPC.getOrDefault(r.id(), -1L))
                .toList(), "left in /proc/sysvipc/shm");
    }

    /** The segment id:N that a {@code jipc shm create} printed, remembered for {@link #nothingIsLeftBehind()}. */
    private static String remember(Run.Result created, String key) {
        String id = created.out().strip();
        assertTrue(id.matches("id:\\d+"), created.out());
        CREATED_BY_JIPC.put(Integer.parseInt(id.substring(3)), Long.parseLong(key.substring(6), 16));
        return id;
    }

    private static String uniqueName(String what) {
        return "/jipc-it-" + PID + "-" + what + "-" + Long.toHexString(System.nanoTime());
    }

    /** A key no one else uses: random in a range of its own, and created with --exclusive by every test. */
    private static String uniqueKey() {
        return String.format("key:0x%08x", 0x4a000000 | ThreadLocalRandom.current().nextInt(0x00ffffff) + 1);
    }

    @Test
    void posixCreateWriteReadDumpRemoveRoundTrip() throws Exception {
        String name = uniqueName("round");
        Path file = Path.of("/dev/shm", name.substring(1));
        try {
            Run.Result created = Run.jipc("", "shm", "create", name, "--size", "4K", "--mode", "0640", "--exclusive");
            assertEquals(0, created.exitCode(), created.err());
            assertEquals(name + "\n", created.out());
            PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            assertEquals(4096, attributes.size());
            assertEquals("rw-r-----", PosixFilePermissions.toString(attributes.permissions()));

            assertEquals(0, Run.jipc("Hello from stdin\n", "shm", "write", name, "--offset", "16").exitCode());
            assertEquals(0, Run.jipc("", "shm", "write", name, "--string", "first").exitCode());

            byte[] expected = new byte[4096];
            put(expected, 0, "first");
            put(expected, 16, "Hello from stdin\n");
            assertArrayEquals(expected, Files.readAllBytes(file), "the bytes in /dev/shm");

            Run.Result part = Run.jipc("", "shm", "read", name, "--offset", "16", "--length", "5");
            assertEquals(0, part.exitCode(), part.err());
            assertEquals("Hello", part.out());
            Run.Result whole = Run.jipc("", "shm", "read", name);
            assertArrayEquals(expected, whole.out().getBytes(StandardCharsets.UTF_8));

            Run.Result dump = Run.jipc("", "shm", "dump", name);
            assertEquals(0, dump.exitCode(), dump.err());
            assertEquals(Run.bash("xxd \"$1\"", file.toString()).out(), dump.out());
            assertTrue(dump.out().startsWith("00000000: 6669 7273 7400 0000 0000 0000 0000 0000  first...........\n"
                    + "00000010: 4865 6c6c 6f20 6672 6f6d 2073 7464 696e  Hello from stdin\n"), dump.out());

            Run.Result removed = Run.jipc("", "shm", "rm", name);
            assertEquals(0, removed.exitCode(), removed.err());
            assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void dumpMatchesXxdWithAutoskipAndWithAnOffsetAndLength() throws Exception {
        String name = uniqueName("dump");
        Path file = Path.of("/dev/shm", name.substring(1));
        try {
            assertEquals(0, Run.jipc("", "shm", "create", name, "--size", "1000").exitCode());
            // Runs of 1, 2, 3 and 4 all-zero lines between marked lines, then zeros to a short last line: every case
            // of xxd -a's rule (a run of three or more shows its first line and '*').
            byte[] content = Files.readAllBytes(file);
            for (int line : new int[] {0, 2, 5, 9, 14}) {
                content[line * 16 + 3] = (byte) ('A' + line);
            }
            content[1] = (byte) 0x7f;
            content[2] = (byte) 0xff;
            Files.write(file, content);

            assertEquals(Run.bash("xxd -a \"$1\"", file.toString()).out(),
                    Run.jipc("", "shm", "dump", "--autoskip", name).out());
            // Ending on a run of 2, 3 and many zero lines takes xxd's last-line rule in each of its cases.
            for (String[] range : new String[][] {{"0", "80"}, {"0", "144"}, {"160", "640"}}) {
                assertEquals(Run.bash("xxd -a -s $1 -l $2 \"$3\"", range[0], range[1], file.toString()).out(),
                        Run.jipc("", "shm", "dump", "-a", "--offset", range[0], "--length", range[1], name).out(),
                        "offset " + range[0] + ", length " + range[1]);
            }
            assertEquals(Run.bash("xxd -s 37 -l 50 \"$1\"", file.toString()).out(),
                    Run.jipc("", "shm", "dump", "-o", "37", "-l", "50", name).out());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void readAndDumpStopQuietlyWith141WhenTheReaderGoesAway() throws Exception {
        String name = uniqueName("head");
        try (PosixSharedMemory _ = PosixSharedMemory.create(name, 1 << 20)) { // far more than a pipe holds
            Run.Result result = Run.bash("\"$JAVA\" -jar \"$JAR\" shm dump \"$1\" | head -1 >/dev/null;"
                    + " dump=${PIPESTATUS[0]}; \"$JAVA\" -jar \"$JAR\" shm read \"$1\" | head -c 1 >/dev/null;"
                    + " echo $dump ${PIPESTATUS[0]}", name);

            assertEquals("141 141\n", result.out(), result.err());
            assertEquals("", result.err());
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void systemVCreateWriteReadDumpRemoveRoundTripByKeyAndById() throws Exception {
        String key = uniqueKey();
        String id = null;
        try {
            Run.Result created = Run.jipc("", "shm", "create", key, "--size", "1000", "--mode", "640", "-x");
            assertEquals(0, created.exitCode(), created.err());
            id = remember(created, key);
            Optional<SysvRow> row = SysvRow.find(id);
            assertTrue(row.isPresent(), "not in /proc/sysvipc/shm: " + id);
            assertEquals(Long.parseLong(key.substring(6), 16), row.get().key());
            assertEquals(1000, row.get().size());
            assertEquals("640", row.get().perms());

            assertEquals(0, Run.jipc("Hello World", "shm", "write", key).exitCode());
            assertEquals(0, Run.jipc("", "shm", "write", id, "--offset", "500", "--string", "by id").exitCode());

            Run.Result message = Run.jipc("", "shm", "read", id, "--until-nul");
            assertEquals(0, message.exitCode(), message.err());
            assertEquals("Hello World", message.out());

            // No file to give xxd: it reads what `jipc shm read` puts into a pipe.
            Run.Result xxd = Run.bash("\"$JAVA\" -jar \"$JAR\" shm read \"$1\" | xxd -a", id);
            Run.Result dump = Run.jipc("", "shm", "dump", "-a", key);
            assertEquals(0, dump.exitCode(), dump.err());
            assertEquals(xxd.out(), dump.out());
            assertTrue(dump.out().contains("00000000: 4865 6c6c 6f20 576f 726c 6400 0000 0000  Hello World.....\n"
                    + "00000010: 0000"), dump.out());
            assertTrue(dump.out().contains("000001f0: 0000 0000 6279 2069 6400 0000 0000 0000  ....by id.......\n"),
                    dump.out());

            Run.Result removed = Run.jipc("", "shm", "rm", key);
            assertEquals(0, removed.exitCode(), removed.err());
            assertTrue(SysvRow.find(id).isEmpty(), "still in /proc/sysvipc/shm: " + id);
            Run.Result gone = Run.jipc("", "shm", "read", id);
            assertEquals(ExitCodes.NO_INPUT, gone.exitCode(), gone.err());
            id = null;
        } finally {
            if (id != null) {
                SysVSharedMemory.remove(Integer.parseInt(id.substring(3)));
            }
        }
    }

    @Test
    void lsShowsBothKindsWithSizeModeAndCreatorAndAgreesWithIpcs() throws Exception {
        String name = uniqueName("ls");
        String key = uniqueKey();
        String deadCreatorId = null;
        // This JVM creates and attaches one segment, so its creator is alive and one process is attached.
        SysVSharedMemory live = SysVSharedMemory.createPrivate(8192, 0640);
        try (PosixSharedMemory _ = PosixSharedMemory.create(name, 12345, 0604); Mapping _ = live.map()) {
            Run.Result created = Run.jipc("", "shm", "create", key, "-s", "3000", "-x");
            assertEquals(0, created.exitCode(), created.err());
            deadCreatorId = remember(created, key); // made by a jipc process that has exited since

            Run.Result ls = Run.jipc("", "shm", "ls");
            assertEquals(0, ls.exitCode(), ls.err());
            List<String> lines = ls.out().lines().toList();
            assertEquals(List.of("KIND", "TARGET", "KEY", "SIZE", "OWNER", "MODE", "ATTACHED", "CPID", "ALIVE", "STATE"),
                    columns(lines.getFirst()));
            String owner = System.getProperty("user.name");
            assertEquals(List.of("posix", name, "-", "12345", owner, "0604", "-", "-", "-", "unknown"),
                    rowOf(lines, name));
            String liveId = "id:" + live.id();
            assertEquals(List.of("sysv", liveId, "private", "8192", owner, "0640", "1", Long.toString(PID), "yes",
                    "in-use"), rowOf(lines, liveId));
            List<String> dead = rowOf(lines, deadCreatorId);
            assertEquals(List.of("sysv", deadCreatorId, key.substring(4), "3000", owner, "0600", "0"),
                    dead.subList(0, 7));
            assertEquals("no", dead.get(8), "the creating jipc process has exited: " + dead);
            assertEquals("stale", dead.get(9), "nobody attached, creator gone: " + dead);

            // ipcs -m and ipcs -m -p (creator pids) say the same about the live segment.
            List<String> ipcs = rowStartingWith(Run.bash("ipcs -m").out(), 1, Integer.toString(live.id()));
            assertEquals(List.of("0x00000000", Integer.toString(live.id()), owner, "640", "8192", "1"),
                    ipcs.subList(0, 6));
            List<String> pids = rowStartingWith(Run.bash("ipcs -m -p").out(), 0, Integer.toString(live.id()));
            assertEquals(Long.toString(PID), pids.get(2), "cpid in ipcs -m -p");

            // --json parses as JSON (Python's parser) and has the same facts.
            Run.Result json = Run.bash("\"$JAVA\" -jar \"$JAR\" shm ls --json | python3 -c '"
                    + "import json, sys\n"
                    + "rows = [r for r in json.load(sys.stdin) if r[\"target\"] in sys.argv[1:]]\n"
                    + "for r in sorted(rows, key=lambda r: r[\"kind\"]):\n"
                    + "    print(r[\"kind\"], r[\"size\"], r[\"mode\"], r[\"attached\"], r[\"creatorPid\"], r[\"creatorAlive\"], r[\"state\"])"
                    + "' \"$1\" \"$2\"", name, liveId);
            assertEquals(0, json.exitCode(), json.err());
            assertEquals("posix 12345 0604 None None None unknown\nsysv 8192 0640 1 " + PID + " True in-use\n",
                    json.out());
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
            live.close();
            live.remove();
            if (deadCreatorId != null) {
                SysVSharedMemory.remove(Integer.parseInt(deadCreatorId.substring(3)));
            }
        }
    }

    @Test
    void readingAMissingObjectExits66WithOneLine() throws Exception {
        for (String missing : List.of(uniqueName("missing"), uniqueKey(), "id:2147483647")) {
            Run.Result result = Run.jipc("", "shm", "read", missing);

            assertEquals(ExitCodes.NO_INPUT, result.exitCode(), missing + ": " + result.err());
            assertEquals(1, result.err().lines().count(), result.err());
            assertTrue(result.err().startsWith("jipc shm read: "), result.err());
            result.assertNoStackTrace();
        }
    }

    @Test
    void creatingAnExistingObjectWithExclusiveExits73AndLeavesItAlone() throws Exception {
        String name = uniqueName("exists");
        try (PosixSharedMemory existing = PosixSharedMemory.create(name, 100); Mapping m = existing.map()) {
            m.setString(0, "keep me");

            Run.Result result = Run.jipc("", "shm", "create", name, "--size", "4096", "--exclusive");

            assertEquals(ExitCodes.CANNOT_CREATE, result.exitCode(), result.err());
            assertTrue(result.err().contains("EEXIST"), result.err());
            assertEquals(1, result.err().lines().count(), result.err());
            assertEquals(100, existing.size());
            assertEquals("keep me", m.getString(0));
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void badSizesExit64AndCreateNothing() throws Exception {
        String name = uniqueName("badsize");
        try {
            for (String size : List.of("0", "-1", "abc")) {
                Run.Result result = Run.jipc("", "shm", "create", name, "--size", size);

                assertEquals(ExitCodes.USAGE, result.exitCode(), size + ": " + result.err());
                assertTrue(result.err().startsWith("jipc shm create: Invalid value for option '--size': '" + size
                        + "'"), result.err());
                result.assertNoStackTrace();
            }
            assertFalse(Files.exists(Path.of("/dev/shm", name.substring(1))));
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void writingMoreThanFitsExits64AndWritesNothing() throws Exception {
        String name = uniqueName("overflow");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 10); Mapping m = shm.mapReadOnly()) {
            Run.Result result = Run.jipc("0123456789", "shm", "write", name, "--offset", "1");

            assertEquals(ExitCodes.USAGE, result.exitCode(), result.err());
            assertTrue(result.err().contains("does not fit at offset 1"), result.err());
            result.assertNoStackTrace();
            assertArrayEquals(new byte[10], m.getBytes(0, 10));
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void readingAnotherUsersPrivateObjectExits77() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run jipc as nobody with setpriv");
        String name = uniqueName("private");
        try (PosixSharedMemory _ = PosixSharedMemory.create(name, 100)) { // 0600, owned by root
            Run.Result result = Run.jipcAsNobody("shm", "read", name);

            assertEquals(ExitCodes.NO_PERMISSION, result.exitCode(), result.err());
            assertTrue(result.err().contains("EACCES"), result.err());
            result.assertNoStackTrace();
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    private static void put(byte[] into, int offset, String ascii) {
        byte[] bytes = ascii.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, into, offset, bytes.length);
    }

    private static List<String> columns(String line) {
        return List.of(line.trim().split("\\s+"));
    }

    /** The columns of the {@code shm ls} row whose TARGET is {@code target}. */
    private static List<String> rowOf(List<String> lines, String target) {
        return rowStartingWith(String.join("\n", lines), 1, target);
    }

    /** The columns of the first line of {@code text} whose column {@code index} is {@code value}. */
    private static List<String> rowStartingWith(String text, int index, String value) {
        for (String line : text.lines().toList()) {
            List<String> c = columns(line);
            if (c.size() > index && c.get(index).equals(value)) {
                return c;
            }
        }
        throw new AssertionError("no row with " + value + " in:\n" + text);
    }

    /** A row of {@code /proc/sysvipc/shm}, the kernel's own list of System V segments. */
    record SysvRow(long key, int id, String perms, long size, long creatorPid) {
        static Optional<SysvRow> find(String target) throws Exception {
            int id = Integer.parseInt(target.substring(3));
            return all().stream().filter(r -> r.id() == id).findFirst();
        }

        static List<SysvRow> all() throws Exception {
            List<SysvRow> rows = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/sysvipc/shm")).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                rows.add(new SysvRow(Long.parseLong(f[0]) & 0xffffffffL, Integer.parseInt(f[1]),
                        Integer.toOctalString(Integer.parseInt(f[2], 8) & 0777), Long.parseLong(f[3]),
                        Long.parseLong(f[4])));
            }
            return rows;
        }
    }
}
