package jipc.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import jipc.ErrnoException;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Anonymous shared memory handed to a child JVM by descriptor, and file seals. */
class MemfdTest {

    @AfterAll
    static void nothingLeft() throws Exception {
        ShmTestSupport.assertNothingLeft();
    }

    @Test
    void aChildJvmMapsMemfdsItWasHandedAndSeesTheirSeals() throws Exception {
        Memfd sealed = Memfd.createSealable("jipc-test-sealed", 4096);
        Memfd reply = Memfd.create("jipc-test-reply", 4096);
        try (sealed; reply; Mapping replyMapping = reply.map(); Pipe out = Pipe.open()) {
            try (Mapping m = sealed.map()) {
                m.setString(0, "Hello child");
            }
            sealed.addSeals(Seal.SHRINK, Seal.GROW, Seal.WRITE);
            String output;
            try (ChildProcess child = Spawn.java(ShmPeer.class, "memfd")
                    .fd(3, sealed).fd(4, reply).fd(1, out.sink()).start()) {
                assertFalse(sealed.fd().isOpen(), "Spawn.fd hands the descriptor over");
                output = new String(out.source().readAllBytes(), StandardCharsets.UTF_8);
                ExitStatus status = child.waitFor();
                assertTrue(status.success(), status + ": " + output);
            }
            assertEquals(List.of(
                    "seals=[SHRINK, GROW, WRITE]",
                    "text=Hello child",
                    "map=mmap(memfd:jipc-test-sealed, 4096 bytes, PROT_READ|PROT_WRITE, MAP_SHARED) failed: EPERM"
                            + " (Operation not permitted)"), output.lines().toList());
            // Our mapping outlived the descriptor we gave away, and shows what the child wrote.
            assertEquals("Hello parent, this is memfd:jipc-test-reply", replyMapping.getString(0));
        }
    }

    @Test
    void sealsAreEnforcedAndOnlyForSealableMemfds() throws Exception {
        try (Memfd plain = Memfd.create("jipc-test-plain", 100)) {
            assertEquals(100, plain.size());
            assertEquals(Set.of(Seal.SEAL), plain.seals(), "created without MFD_ALLOW_SEALING");
            ErrnoException e = assertThrows(ErrnoException.class, () -> plain.addSeals(Seal.SHRINK));
            assertEquals("EPERM", e.errnoName());
            assertTrue(e.getMessage().contains("memfd:jipc-test-plain"), e.getMessage());
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + plain.fd().number())).toString();
            assertEquals("/memfd:jipc-test-plain (deleted)", link);
        }
        try (Memfd memfd = Memfd.createSealable("jipc-test-seals", 4096)) {
            assertEquals(EnumSet.noneOf(Seal.class), memfd.seals());
            Mapping writable = memfd.map();
            assertEquals("EBUSY", assertThrows(ErrnoException.class, () -> memfd.addSeals(Seal.WRITE)).errnoName(),
                    "no WRITE seal while a writable mapping exists");
            writable.close();
            memfd.addSeals(Seal.WRITE, Seal.SEAL);
            assertEquals("EPERM", assertThrows(ErrnoException.class, memfd::map).errnoName());
            assertEquals("EPERM", assertThrows(ErrnoException.class, () -> memfd.addSeals(Seal.SHRINK)).errnoName());
            try (Mapping ro = memfd.mapReadOnly()) {
                assertEquals(4096, ro.size());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Memfd.create("x".repeat(250), 1));
        assertThrows(IllegalArgumentException.class, () -> Memfd.create("a\0b", 1));
        assertThrows(IllegalArgumentException.class, () -> Memfd.create("zero", 0));
    }

    @Test
    void inheritRefusesADescriptorThatIsNotAMemfd() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            int number = pipe.source().fd().number();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Memfd.inherit(number));
            assertTrue(e.getMessage().startsWith("fd " + number + " is not a memfd: it is pipe:["), e.getMessage());
            pipe.sink().writeFully(new byte[] {7});
            assertEquals(1, pipe.source().available(), "the refused descriptor is left open and untouched");
        }
        assertEquals("EBADF", assertThrows(ErrnoException.class, () -> Memfd.inherit(65000)).errnoName());
    }
}
