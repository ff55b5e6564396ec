package jipc.shm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.ErrnoException;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Mapping#populate()}: the kernel's own count of this process's resident pages of a mapping
 * ({@code /proc/self/smaps}, its {@code Rss}) goes from none to all, read-write and read-only, by {@code madvise} and by
 * the fallback; a mapping a peer truncated (coreutils {@code truncate}, another process) is an EFAULT naming
 * {@code madvise}, not a SIGBUS.
 */
class MappingPopulateTest {
    private static final long SIZE = 1 << 20;

    @Test
    void populateMapsEveryPageOfAReadWriteMapping() throws IOException {
        try (Memfd memfd = Memfd.create("jipc-populate", SIZE); Mapping mapping = memfd.map()) {
            assertEquals(0, residentKiB(mapping), "a fresh mapping has no pages of its own yet");
            mapping.populate();
            assertEquals(SIZE / 1024, residentKiB(mapping));
            mapping.populate(); // again: nothing to do, no error
            assertEquals(SIZE / 1024, residentKiB(mapping));
        }
    }

    @Test
    void populateMapsEveryPageOfAReadOnlyMapping() throws IOException {
        try (Memfd memfd = Memfd.create("jipc-populate-ro", SIZE); Mapping mapping = memfd.mapReadOnly()) {
            assertEquals(0, residentKiB(mapping));
            mapping.populate();
            assertEquals(SIZE / 1024, residentKiB(mapping));
        }
    }

    @Test
    void theFallbackForOldKernelsMapsEveryPageToo() throws IOException {
        try (Memfd memfd = Memfd.create("jipc-populate-touch", SIZE + 4096); Mapping mapping = memfd.map()) {
            mapping.touchEveryPage();
            assertEquals((SIZE + 4096) / 1024, residentKiB(mapping));
            // the read faults left the pages writable: writing them all faults no more
            long before = minorFaults();
            for (long offset = 0; offset < mapping.size(); offset += 4096) {
                mapping.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, offset, (byte) 1);
            }
            long faults = minorFaults() - before;
            assertTrue(faults < 64, faults + " minor faults writing 257 touched pages");
        }
    }

    @Test
    void aTruncatedObjectIsAnEfaultNotASigbus() throws Exception {
        try (Memfd memfd = Memfd.create("jipc-populate-cut", SIZE); Mapping mapping = memfd.map()) {
            String path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + memfd.fd().number();
            Process truncate = new ProcessBuilder("truncate", "-s", "4096", path).redirectErrorStream(true).start();
            assertTrue(truncate.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, truncate.exitValue(), new String(truncate.getInputStream().readAllBytes()));
            ErrnoException e = assertThrows(ErrnoException.class, mapping::populate);
            assertEquals("madvise", e.syscall());
            assertEquals("EFAULT", e.errnoName());
            assertTrue(e.getMessage().contains("MADV_POPULATE_WRITE"), e.getMessage());
            assertEquals(4096 / 1024, residentKiB(mapping), "the page still backed was populated");
        }
    }

    @Test
    void aClosedMappingIsRefused() throws IOException {
        try (Memfd memfd = Memfd.create("jipc-populate-closed", 4096)) {
            Mapping mapping = memfd.map();
            mapping.close();
            assertThrows(IllegalStateException.class, mapping::populate);
        }
    }

    /** The {@code Rss} of the mapping starting at the segment's address, in KiB, from {@code /proc/self/smaps}. */
    private static long residentKiB(Mapping mapping) throws IOException {
        String start = Long.toHexString(mapping.segment().address()) + "-";
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                for (int j = i + 1; j < lines.size(); j++) {
                    if (lines.get(j).startsWith("Rss:")) {
                        return Long.parseLong(lines.get(j).replaceAll("[^0-9]", ""));
                    }
                }
            }
        }
        throw new AssertionError("no mapping at " + start + " in /proc/self/smaps");
    }

    /** This process's minor faults so far ({@code /proc/self/stat}, field 10). */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}
