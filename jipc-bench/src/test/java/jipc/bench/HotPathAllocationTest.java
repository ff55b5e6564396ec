package jipc.bench;

import jipc.internal.Jfr;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a channel's sleep allocates, measured as the benchmark's crew members measure it ({@link
 * CrewMember#allocatedBytes}, the thread's allocated bytes). Here rather than in jipc-core: the core module does not
 * read {@code jdk.management}.
 *
 * <p>The futex round trip itself is tested in jipc-core ({@code jipc.channel.FutexRoundTripAllocationTest}, in a
 * C1-only child JVM so that no escape analysis hides anything): its futex calls and {@code memcpy} allocate nothing
 * since 6 Dec 2026; before, a compiled futex ping-pong allocated 0 B per round trip in some JVMs and 40-81 B in
 * others (the JDK's capture-state check in each futex downcall, {@code SharedUtils.checkCaptureSegment}, and
 * {@code memcpy}'s destination slice and returned pointer, when escape analysis did not remove them).
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
