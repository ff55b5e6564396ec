package jipc.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jipc.channel.ChannelDescriptor;
import jipc.channel.MessageHandler;
import jipc.channel.OneToOneChannel;
import jipc.channel.WaitStrategy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The channel's hot paths allocate nothing per message once compiled, measured as the benchmark's crew members do
 * ({@link CrewMember#allocatedBytes}, the thread's allocated bytes). Here rather than in jipc-core: the core module
 * does not read {@code jdk.management}.
 */
class HotPathAllocationTest {
    private static final int CAPACITY = 4096;
    /** One Duration for every call: {@code Duration.ofSeconds} per call would be the test's own allocation. */
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void aFutexPingPongAllocatesNothingPerSleepWhileNoRecordingWantsTheWaitEvent() throws Exception {
        int warmup = 50_000;
        int measured = 10_000;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ab = arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
            MemorySegment ba = arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
            OneToOneChannel pingOut = OneToOneChannel.create(ab, CAPACITY, 64).waitStrategy(WaitStrategy.futex());
            OneToOneChannel pingIn = OneToOneChannel.create(ba, CAPACITY, 64).waitStrategy(WaitStrategy.futex());
            OneToOneChannel pongIn = OneToOneChannel.attach(ab).waitStrategy(WaitStrategy.futex());
            OneToOneChannel pongOut = OneToOneChannel.attach(ba).waitStrategy(WaitStrategy.futex());
            MemorySegment payload = arena.allocate(64, 8);
            MemorySegment echo = arena.allocate(64, 8);
            MessageHandler ignore = (type, p) -> { };
            CompletableFuture<Void> ponging = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < warmup + measured; i++) {
                        while (pongIn.poll(ignore, 1, LIMIT) == 0) {
                            // only padding was consumed
                        }
                        assertTrue(pongOut.put(1, echo, LIMIT));
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            long before = 0;
            for (int i = 0; i < warmup + measured; i++) {
                if (i == warmup) {
                    before = CrewMember.allocatedBytes();
                }
                assertTrue(pingOut.put(1, payload, LIMIT));
                while (pingIn.poll(ignore, 1, LIMIT) == 0) {
                    // only padding was consumed
                }
            }
            long allocated = CrewMember.allocatedBytes() - before;
            ponging.get(30, TimeUnit.SECONDS);
            // this side sleeps about once per round trip; a jdk.jfr event per sleep was about 43 bytes
            assertTrue(allocated < measured, allocated + " bytes over " + measured + " futex round trips");
        }
    }
}
