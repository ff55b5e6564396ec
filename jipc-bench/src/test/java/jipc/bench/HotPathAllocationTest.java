package jipc.bench;

import jipc.internal.Jfr;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a channel's sleep allocates, measured as the benchmark's crew members measure it ({@link
 * CrewMember#allocatedBytes}, the thread's allocated bytes). Here rather than in jipc-core: the core module does not
 * read {@code jdk.management}.
 *
 * <p>Not tested here, because it depends on what C2 inlines and so differs from JVM to JVM: a compiled futex
 * ping-pong in one process allocated 0 B per round trip in some runs and ~24 B in others, the
 * {@code NativeMemorySegmentImpl}s of {@code RingChannel.poll}'s payload slice ({@code asSlice}) and of the JDK's
 * capture-state check in the futex downcall ({@code SharedUtils.checkCaptureSegment}) when escape analysis does not
 * remove them.
 */
class HotPathAllocationTest {
    @Test
    void aSleepAllocatesNoWaitEventWhileNoRecordingWantsIt() {
        Jfr.Wait wait = new Jfr.Wait("consumer");
        for (int i = 0; i < 200_000; i++) {
            wait.sleeping();
            wait.end("/ring", true);
        }
        int sleeps = 100_000;
        long before = CrewMember.allocatedBytes();
        for (int i = 0; i < sleeps; i++) {
            wait.sleeping();
            wait.end("/ring", true);
        }
        long allocated = CrewMember.allocatedBytes() - before;
        // a jipc.ChannelWait per sleep was about 40 bytes
        assertTrue(allocated < sleeps / 10, allocated + " bytes over " + sleeps + " sleeps");
    }
}
