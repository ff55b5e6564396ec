package jipc.shm;

import static jipc.shm.ShmTestSupport.uniqueKey;
import static jipc.shm.ShmTestSupport.uniqueName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jipc.internal.LibC;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.testing.Nobody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * POSIX shared memory across process boundaries: with Python's {@code multiprocessing.shared_memory}, with a child
 * JVM (atomics and release/acquire publication), and against another user (EACCES).
 */
class PosixInteropTest {
    /**
     * Attaches to {@code sys.argv[1]} (a name without '/', as Python spells it), prints what Java wrote, writes a
     * reply at offset 100. Python before 3.13 registers even attached segments with its resource tracker, which
     * would unlink the object at exit: {@code track=False} where it exists, else unregister.
     */
    private static final String PYTHON_ATTACH = """
            import sys
            from multiprocessing import shared_memory, resource_tracker
            try:
                shm = shared_memory.SharedMemory(name=sys.argv[1], track=False)
            except TypeError:
                shm = shared_memory.SharedMemory(name=sys.argv[1])
                resource_tracker.unregister(shm._name, "shared_memory")
            text = bytes(shm.buf[:shm.buf.tobytes().index(0)]).decode()
            print(text, shm.size)
            reply = b"Hello from Python\\0"
            shm.buf[100:100 + len(reply)] = reply
            shm.close()
            """;

    /** Creates {@code sys.argv[1]} with 5000 bytes, writes a greeting and leaves it for Java (no unlink at exit). */
    private static final String PYTHON_CREATE = """
            import sys
            from multiprocessing import shared_memory, resource_tracker
            try:
                shm = shared_memory.SharedMemory(name=sys.argv[1], create=True, size=5000, track=False)
            except TypeError:
                shm = shared_memory.SharedMemory(name=sys.argv[1], create=True, size=5000)
                resource_tracker.unregister(shm._name, "shared_memory")
            greeting = b"Hello World from Python\\0"
            shm.buf[:len(greeting)] = greeting
            shm.close()
            """;

    @AfterAll
    static void nothingLeft() throws Exception {
        ShmTestSupport.assertNothingLeft();
    }

    private static void assumePython() {
        assumeTrue(ShmTestSupport.onPath("python3"),
                "python3 is not installed: skipping the Python interop test (.ci/run installs it)");
    }

    @Test
    void pythonAttachesToAnObjectJavaCreated() throws Exception {
        assumePython();
        String name = uniqueName("py-attach");
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096); Mapping m = shm.map()) {
            try {
                m.setString(0, "Hello World from Java");
                ShmTestSupport.Result r = ShmTestSupport.run(
                        List.of("python3", "-c", PYTHON_ATTACH, name.substring(1)));
                assertEquals(0, r.status(), r.output());
                assertEquals("Hello World from Java 4096\n", r.output());
                assertEquals("Hello from Python", m.getString(100));
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void javaOpensAnObjectPythonCreated() throws Exception {
        assumePython();
        String name = uniqueName("py-create");
        try {
            ShmTestSupport.Result r = ShmTestSupport.run(List.of("python3", "-c", PYTHON_CREATE, name.substring(1)));
            assertEquals(0, r.status(), r.output());
            try (PosixSharedMemory shm = PosixSharedMemory.open(name); Mapping m = shm.map()) {
                assertTrue(shm.size() >= 5000, "size " + shm.size());
                assertEquals("Hello World from Python", m.getString(0));
            }
        } finally {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    @Test
    void aChildJvmPublishesWithReleaseAndCountsAtomicallyWithUs() throws Exception {
        String name = uniqueName("jvm");
        long perProcess = 200_000;
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096);
             Mapping m = shm.map();
             ChildProcess child = Spawn.java(ShmPeer.class, "posix-count", name, Long.toString(perProcess)).start()) {
            try {
                ShmTestSupport.awaitCondition("the child to map the object", () -> m.getIntAcquire(ShmPeer.READY) == 1);
                m.setIntRelease(ShmPeer.GO, 1);
                for (long i = 0; i < perProcess; i++) {
                    m.getAndAddLong(ShmPeer.COUNTER, 1);
                }
                ShmTestSupport.awaitCondition("the child's release store", () -> m.getIntAcquire(ShmPeer.DONE) == 1);
                // The acquire load that saw DONE makes the child's earlier plain writes visible.
                assertEquals("Hello from the child JVM", m.getString(ShmPeer.TEXT));
                assertEquals(2 * perProcess, m.getLongVolatile(ShmPeer.COUNTER), "no increment lost");
                ExitStatus status = child.waitFor();
                assertTrue(status.success(), status.toString());
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void anotherUserGetsEaccesNamingTheObject() throws Exception {
        String name = uniqueName("eacces");
        int key = uniqueKey();
        boolean root = LibC.geteuid() == 0;
        // As root (who may open anything) a child run as user nobody tries mode 0600 objects; as anyone else this
        // JVM tries objects of mode 0, which deny even their owner.
        int mode = root ? 0600 : 0;
        try (PosixSharedMemory posix = PosixSharedMemory.create(name, 4096, mode);
             SysVSharedMemory sysv = SysVSharedMemory.create(key, 4096, mode)) {
            try {
                List<String> lines = root ? openAsNobody(name, key) : openHere(name, key);
                assertEquals(List.of(
                        "posix=shm_open(\"" + name + "\", O_RDWR) failed: EACCES (Permission denied)",
                        "sysv=shmget(key " + String.format("0x%08x", key) + ", 0 bytes, 0600) failed: EACCES"
                                + " (Permission denied)"), lines);
            } finally {
                posix.unlink();
                sysv.remove();
            }
        }
    }

    private static List<String> openHere(String name, int key) {
        List<String> lines = new ArrayList<>();
        try (PosixSharedMemory shm = PosixSharedMemory.open(name)) {
            lines.add("posix=opened " + shm);
        } catch (Exception e) {
            lines.add("posix=" + e.getMessage());
        }
        try (SysVSharedMemory shm = SysVSharedMemory.open(key)) {
            lines.add("sysv=opened " + shm);
        } catch (Exception e) {
            lines.add("sysv=" + e.getMessage());
        }
        return lines;
    }

    /**
     * A child JVM that {@code setpriv} runs as user nobody (65534, no groups) tries to open both; it runs from a copy
     * of our class path that nobody can read (the checkout and {@code ~/.m2} may be out of its reach).
     */
    private static List<String> openAsNobody(String name, int key) throws Exception {
        try (Nobody nobody = Nobody.create();
             Pipe out = Pipe.open();
             ChildProcess child = Spawn.command(nobody.argv(nobody.java(ShmPeer.class, "eacces", name,
                     Integer.toString(key)))).directory(nobody.directory()).fd(1, out.sink()).start()) {
            String output = new String(out.source().readAllBytes(), StandardCharsets.UTF_8);
            ExitStatus status = child.waitFor();
            assertTrue(status.success(), status + ": " + output);
            return output.lines().toList();
        }
    }
}
