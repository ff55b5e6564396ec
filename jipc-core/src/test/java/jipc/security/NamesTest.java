package jipc.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jipc.channel.SharedChannel;
import jipc.shm.Memfd;
import jipc.shm.PosixSharedMemory;
import jipc.sync.NamedSemaphore;
import jipc.sync.SharedSemaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point that takes a POSIX object name (shared memory, shared and named semaphores, shared
 * channels) refuses a name with a second '/', "." or "..", a NUL, nothing after the '/', no leading '/', or more
 * than NAME_MAX bytes, with an {@link IllegalArgumentException} naming the rule, before any system call: nothing
 * appears in {@code /dev/shm}. A {@code null} name is a {@link NullPointerException} naming "name".
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NamesTest {
    private static List<String> devShmBefore;

    /** A call given one name. */
    interface NameCall {
        void call(String name) throws Exception;
    }

    /** Every public method that takes a POSIX name, by how a reader would write the call. */
    private static Map<String, NameCall> entryPoints() {
        Map<String, NameCall> calls = new LinkedHashMap<>();
        calls.put("PosixSharedMemory.create", n -> PosixSharedMemory.create(n, 4096).close());
        calls.put("PosixSharedMemory.create(mode)", n -> PosixSharedMemory.create(n, 4096, 0644).close());
        calls.put("PosixSharedMemory.openOrCreate", n -> PosixSharedMemory.openOrCreate(n, 4096).close());
        calls.put("PosixSharedMemory.open", n -> PosixSharedMemory.open(n).close());
        calls.put("PosixSharedMemory.openReadOnly", n -> PosixSharedMemory.openReadOnly(n).close());
        calls.put("PosixSharedMemory.unlink", PosixSharedMemory::unlink);
        calls.put("PosixSharedMemory.unlinkIfExists", PosixSharedMemory::unlinkIfExists);
        calls.put("PosixSharedMemory.checkName", PosixSharedMemory::checkName);
        calls.put("SharedSemaphore.create", n -> SharedSemaphore.create(n, 1).close());
        calls.put("SharedSemaphore.createBinary", n -> SharedSemaphore.createBinary(n, true, 0600).close());
        calls.put("SharedSemaphore.open", n -> SharedSemaphore.open(n).close());
        calls.put("SharedSemaphore.unlink", SharedSemaphore::unlink);
        calls.put("SharedSemaphore.unlinkIfExists", SharedSemaphore::unlinkIfExists);
        calls.put("SharedChannel.create", n -> SharedChannel.create(n, 4096, 64).close());
        calls.put("SharedChannel.createManyToOne", n -> SharedChannel.createManyToOne(n, 4096, 64).close());
        calls.put("SharedChannel.attach", n -> SharedChannel.attach(n).close());
        calls.put("SharedChannel.unlinkIfExists", SharedChannel::unlinkIfExists);
        calls.put("NamedSemaphore.create", n -> NamedSemaphore.create(n, 0).close());
        calls.put("NamedSemaphore.openOrCreate", n -> NamedSemaphore.openOrCreate(n, 0, 0600).close());
        calls.put("NamedSemaphore.open", n -> NamedSemaphore.open(n).close());
        calls.put("NamedSemaphore.unlink", NamedSemaphore::unlink);
        calls.put("NamedSemaphore.unlinkIfExists", NamedSemaphore::unlinkIfExists);
        calls.put("NamedSemaphore.checkName", NamedSemaphore::checkName);
        return calls;
    }

    /** Bad names and the words of the rule each must be refused with. */
    private static Map<String, String> badNames() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("", "must start with '/'");
        names.put("jipc-no-slash", "must start with '/'");
        names.put("/", "at least one character");
        names.put("/jipc/nested", "must not contain '/'");
        names.put("/../etc/passwd", "must not contain '/'");
        names.put("/..", "is not a file name");
        names.put("/.", "is not a file name");
        names.put("/jipc\0nul", "must not contain NUL");
        names.put("/" + "x".repeat(256), "NAME_MAX=255");
        names.put("/" + "é".repeat(128), "NAME_MAX=255"); // 256 bytes in UTF-8: the limit is in bytes
        return names;
    }

    static Stream<Arguments> everyEntryPointWithEveryBadName() {
        List<Arguments> cases = new ArrayList<>();
        entryPoints().forEach((entry, call) -> badNames().forEach((name, rule) ->
                cases.add(Arguments.of(entry, printable(name), name, rule, call))));
        return cases.stream();
    }

    static Stream<Arguments> everyEntryPoint() {
        return entryPoints().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private static String printable(String name) {
        String s = name.replace("\0", "\\0");
        return s.length() > 24 ? s.substring(0, 12) + "...(" + name.length() + " chars)" : '"' + s + '"';
    }

    @BeforeAll
    static void listDevShm() throws IOException {
        devShmBefore = devShm();
    }

    @AfterAll
    static void nothingWasCreated() throws IOException {
        List<String> now = devShm();
        now.removeAll(devShmBefore);
        // Only what a bad name of this test could have become (other processes, e.g. parallel builds, create
        // objects of their own meanwhile): the name itself, a part of it, or the same with sem_open's "sem." prefix.
        now.removeIf(n -> !couldComeFromABadName(n.startsWith("sem.") ? n.substring(4) : n));
        assertEquals(List.of(), now, "new entries in /dev/shm");
    }

    private static boolean couldComeFromABadName(String n) {
        return List.of("jipc-no-slash", "jipc", "nested", "etc", "passwd", "jipc\0nul", "..", ".").contains(n)
                || n.startsWith("xxxx") || n.startsWith("éé");
    }

    private static List<String> devShm() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/dev/shm"))) {
            return new ArrayList<>(entries.map(p -> p.getFileName().toString()).toList());
        }
    }

    @ParameterizedTest(name = "{0}({1}) names the rule")
    @MethodSource("everyEntryPointWithEveryBadName")
    void aBadNameIsRefusedNamingTheRule(String entry, String shown, String name, String rule, NameCall call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.call(name), entry);
        assertTrue(e.getMessage().contains(rule), entry + "(" + shown + "): \"" + e.getMessage()
                + "\" does not say \"" + rule + "\"");
    }

    @ParameterizedTest(name = "{0}(null)")
    @MethodSource("everyEntryPoint")
    void aNullNameIsANullPointerExceptionNamingIt(String entry, NameCall call) {
        NullPointerException e = assertThrows(NullPointerException.class, () -> call.call(null), entry);
        assertEquals("name", e.getMessage(), entry);
    }

    @Test
    void semaphoreNamesLeaveRoomForGlibcsSemPrefix() throws IOException {
        String longest = "/" + "s".repeat(251); // /dev/shm/sem. + 251 bytes = NAME_MAX
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NamedSemaphore.create(longest + "s", 0));
        assertTrue(e.getMessage().contains("251"), e.getMessage());
        try (NamedSemaphore sem = NamedSemaphore.create(longest, 0)) {
            assertEquals(0, sem.value());
        } finally {
            NamedSemaphore.unlinkIfExists(longest);
        }
    }

    @Test
    void theLongestNameIsAccepted() throws IOException {
        String longest = "/" + "x".repeat(255);
        try (PosixSharedMemory shm = PosixSharedMemory.create(longest, 4096)) {
            assertEquals(longest, shm.name());
        } finally {
            PosixSharedMemory.unlinkIfExists(longest);
        }
    }

    @Test
    void memfdNamesRefuseNulAndOverLongNames() throws IOException {
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> Memfd.create("a\0b", 4096));
        assertTrue(nul.getMessage().contains("NUL"), nul.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> Memfd.create("m".repeat(250), 4096));
        assertTrue(tooLong.getMessage().contains("249"), tooLong.getMessage());
        assertEquals("name", assertThrows(NullPointerException.class, () -> Memfd.create(null, 4096)).getMessage());
        try (Memfd memfd = Memfd.create("m".repeat(249), 4096)) {
            assertEquals(4096, memfd.size(), "249 bytes is the limit, and allowed");
        }
    }
}
