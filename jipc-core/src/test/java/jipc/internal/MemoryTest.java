package jipc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Memory#copyInto} and {@link Memory#zeroInto}, which hand {@code memcpy} and {@code memset} the destination
 * as an address (no slice) and keep the destination segment alive as an extra argument: they must write exactly where
 * asked, check bounds themselves, and turn a closed or foreign destination into an exception, never into a write to
 * unmapped memory.
 */
@Timeout(60)
class MemoryTest {
    private static MemorySegment pattern(Arena arena, int length) {
        MemorySegment s = arena.allocate(length);
        for (int i = 0; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 1));
        }
        return s;
    }

    @Test
    void copyIntoWritesExactlyTheBytesAtTheOffsetOfANativeOrHeapDestination() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = pattern(arena, 5000);
            MemorySegment[] destinations = {arena.allocate(8192), MemorySegment.ofArray(new byte[8192])};
            for (MemorySegment dst : destinations) {
                Memory.copyInto(src, dst, 1000, 4096);
                assertEquals(-1, dst.asSlice(1000, 4096).mismatch(src.asSlice(0, 4096)), dst.toString());
                assertEquals(0, dst.get(ValueLayout.JAVA_BYTE, 999), "byte before the copy");
                assertEquals(0, dst.get(ValueLayout.JAVA_BYTE, 1000 + 4096), "byte after the copy");
            }
        }
    }

    @Test
    void zeroIntoZeroesExactlyTheBytesAtTheOffsetOfANativeOrHeapDestination() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] destinations = {arena.allocate(16384), MemorySegment.ofArray(new byte[16384])};
            for (MemorySegment dst : destinations) {
                dst.fill((byte) 5);
                Memory.zeroInto(dst, 1000, 8192);
                assertEquals(-1, dst.asSlice(1000, 8192).mismatch(MemorySegment.ofArray(new byte[8192])));
                assertEquals(5, dst.get(ValueLayout.JAVA_BYTE, 999), "byte before");
                assertEquals(5, dst.get(ValueLayout.JAVA_BYTE, 1000 + 8192), "byte after");
                assertThrows(IndexOutOfBoundsException.class, () -> Memory.zeroInto(dst, 16384 - 8191, 8192));
                assertThrows(IndexOutOfBoundsException.class, () -> Memory.zeroInto(dst, -8, 8));
            }
            Arena closed = Arena.ofShared();
            MemorySegment gone = closed.allocate(8192);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Memory.zeroInto(gone, 0, 8192));
        }
    }

    @Test
    void copyIntoRefusesACopyThatDoesNotFit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = pattern(arena, 4096);
            MemorySegment dst = arena.allocate(8192);
            assertThrows(IndexOutOfBoundsException.class, () -> Memory.copyInto(src, dst, 8192 - 4095, 4096));
            assertThrows(IndexOutOfBoundsException.class, () -> Memory.copyInto(src, dst, -1, 16));
            assertThrows(IndexOutOfBoundsException.class, () -> Memory.copyInto(src, dst, 0, 4097));
            assertThrows(IndexOutOfBoundsException.class, () -> Memory.copyInto(src, dst, Long.MAX_VALUE, 16));
            assertThrows(IllegalArgumentException.class, () -> Memory.copyInto(src, dst.asReadOnly(), 0, 16));
            assertEquals(-1, dst.mismatch(MemorySegment.ofArray(new byte[8192])), "nothing was written");
        }
    }

    @Test
    void copyIntoAClosedOrForeignDestinationThrows() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = pattern(arena, 4096);
            Arena closed = Arena.ofShared();
            MemorySegment gone = closed.allocate(8192);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Memory.copyInto(src, gone, 0, 4096));
            try (Arena other = Arena.ofShared()) {
                MemorySegment sharedSrc = pattern(other, 4096);
                ExecutionException e = assertThrows(ExecutionException.class, () -> CompletableFuture.runAsync(
                        () -> Memory.copyInto(sharedSrc, arena.allocate(8192), 0, 4096)).get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof WrongThreadException, e.getCause().toString());
            }
        }
    }

    @Test
    void aCloseByAnotherThreadDuringCopiesThrowsInsteadOfUnmappingTheDestination() throws Exception {
        Arena shared = Arena.ofShared();
        MemorySegment dst = shared.allocate(1 << 20);
        AtomicBoolean copying = new AtomicBoolean();
        AtomicLong copies = new AtomicLong();
        CompletableFuture<Throwable> copier = CompletableFuture.supplyAsync(() -> {
            try (Arena local = Arena.ofConfined()) {
                MemorySegment src = pattern(local, 1 << 19);
                for (;;) {
                    Memory.copyInto(src, dst, copies.get() & 4096, 1 << 19);
                    copies.incrementAndGet();
                    copying.set(true);
                }
            } catch (Throwable t) {
                return t;
            }
        });
        while (!copying.get()) {
            Thread.onSpinWait();
        }
        int refused = 0;
        for (;;) {
            try {
                shared.close(); // refused while a copy holds the segment, then succeeds between two copies
                break;
            } catch (IllegalStateException busy) {
                refused++;
            }
        }
        Throwable ended = copier.get(30, TimeUnit.SECONDS);
        assertTrue(ended instanceof IllegalStateException, "the copier ended with " + ended + " after "
                + copies.get() + " copies (" + refused + " refused closes)");
    }
}
