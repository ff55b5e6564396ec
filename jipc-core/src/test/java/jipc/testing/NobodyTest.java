package jipc.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import jipc.process.Spawn;
import org.junit.jupiter.api.Test;

/**
 * {@link Nobody}'s copies are within user nobody's reach, and its check fails when something is not: what the tests
 * that run as another user rely on to pass from any checkout, including one under a {@code chmod 700} directory.
 */
class NobodyTest {

    /** Prints the real uid of its process (from {@code /proc/self/status}). */
    public static final class RealUid {
        public static void main(String[] args) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    System.out.println(line.split("\\s+")[1]);
                }
            }
        }
    }

    @Test
    void aClassPathUnderAPrivateDirectoryRunsAsNobodyOnlyFromItsCopy() throws Exception {
        // Stands for a checkout under a 0700 directory: one class in a class path directory only root can reach.
        Path hidden = Files.createTempDirectory(Path.of("/tmp"), "jipc-private-");
        Files.setPosixFilePermissions(hidden, PosixFilePermissions.fromString("rwx------"));
        try (Nobody nobody = Nobody.create()) {
            Path classes = hidden.resolve("classes");
            String file = RealUid.class.getName().replace('.', '/') + ".class";
            Path testClasses = Path.of(RealUid.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Files.createDirectories(classes.resolve(file).getParent());
            Files.copy(testClasses.resolve(file), classes.resolve(file));

            Capture.Result denied = Capture.run(Spawn.command(
                    nobody.argv(JavaCommand.argv(classes.toString(), RealUid.class))).directory(Path.of("/")));
            assertFalse(denied.status().success(), "nobody ran a class it should not reach: " + denied);
            AssertionError unusable = assertThrows(AssertionError.class,
                    () -> nobody.assertNobodyCanUse(List.of(classes)));
            assertTrue(unusable.getMessage().contains(classes.toString()), unusable.getMessage());

            String copy = nobody.copyClassPath(classes.toString());
            assertTrue(copy.startsWith(nobody.directory() + "/"), copy);
            assertEquals(Nobody.UID + "\n", runAsNobody(nobody, copy));
        } finally {
            deleteTree(hidden);
        }
    }

    @Test
    void thisJvmsWholeClassPathIsCopiedAndRunsAsNobody() throws Exception {
        try (Nobody nobody = Nobody.create()) {
            List<String> entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(e -> !e.isEmpty() && Files.exists(Path.of(e))).toList();
            String copy = nobody.copyClassPath(System.getProperty("java.class.path"));

            List<String> copies = List.of(copy.split(File.pathSeparator));
            assertEquals(entries.size(), copies.size(), copy);
            for (int i = 0; i < entries.size(); i++) {
                Path original = Path.of(entries.get(i));
                Path copied = Path.of(copies.get(i));
                assertEquals(nobody.directory(), copied.getParent(), copied.toString());
                assertTrue(copied.getFileName().toString().endsWith("-" + original.getFileName()), copied.toString());
                assertEquals(sizes(original), sizes(copied), copied.toString());
            }
            assertEquals(Nobody.UID + "\n", runAsNobody(nobody, copy));
        }
    }

    @Test
    void theCheckNamesACopyThatNobodyCannotRead() throws Exception {
        try (Nobody nobody = Nobody.create()) {
            Path copy = nobody.copy(Gcc.program("describe_self"));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));

            AssertionError unusable = assertThrows(AssertionError.class,
                    () -> nobody.assertNobodyCanUse(List.of(copy)));
            assertTrue(unusable.getMessage().contains(copy.toString()), unusable.getMessage());
        }
    }

    @Test
    void closeDeletesTheCopies() throws Exception {
        Path directory;
        try (Nobody nobody = Nobody.create()) {
            directory = nobody.directory();
            nobody.copy(Gcc.program("describe_self"));
            nobody.copyClassPath(Path.of(RealUid.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString());
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        }
        assertFalse(Files.exists(directory), directory.toString());
    }

    private static String runAsNobody(Nobody nobody, String classPath) throws IOException {
        return Capture.run(Spawn.command(nobody.argv(JavaCommand.argv(classPath, RealUid.class)))
                .directory(Path.of("/"))).assertSuccess().out();
    }

    /** The size of every regular file under {@code root} (or of {@code root} itself), by relative path. */
    private static Map<Path, Long> sizes(Path root) throws IOException {
        Map<Path, Long> sizes = new TreeMap<>();
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.filter(Files::isRegularFile).toList()) {
                sizes.put(root.relativize(p), Files.size(p));
            }
        }
        return sizes;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
