package jipc.sync;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Shared memory for the tests without jipc's own shared-memory package: a file mapped with
 * {@code FileChannel.map(READ_WRITE)} is a {@code MAP_SHARED} mapping, and every process that maps the same file
 * sees the same pages (and meets on the same shared futexes, which the kernel keys by inode and offset).
 */
final class SharedFile {
    private SharedFile() {
    }

    /** Maps (creating and zero-extending if needed) the first {@code size} bytes of {@code file}. */
    static MemorySegment map(Path file, long size, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        }
    }
}
