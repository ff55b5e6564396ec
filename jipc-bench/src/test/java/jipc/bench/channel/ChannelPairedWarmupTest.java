package jipc.bench.channel;

import java.util.List;

import jipc.bench.suite.Plan;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm-up sizes of the paired channel latency step ({@link ChannelPaired#javaWarmupBlock}): the fewest warm-up
 * blocks of a spinning Java pair go {@link ChannelPaired#WARMUP_LAPS} times round its rings (so the first wraps'
 * deoptimisations come before the measured blocks) and keep the records' places in their cache lines (a multiple
 * of 16 round trips); those of a sleeping pair call the timed round trip more than C2's 5 000 invocations.
 */
class ChannelPairedWarmupTest {
    @Test
    void spinningPairsWarmUpForTheirLapsInWholeLines() {
        for (Plan plan : List.of(Plan.fullRun(), Plan.quickRun())) {
            int blocks = ChannelPaired.minWarmupBlocks(plan);
            for (int size : List.of(1, 8, 64, 100, 4096, 65536)) {
                long block = ChannelPaired.javaWarmupBlock(plan, false, size);
                long records = ChannelPairs.capacity(size) / ((size + 15) / 8 * 8);
                assertTrue(block * blocks >= ChannelPaired.WARMUP_LAPS * records, size + " B: " + block);
                assertTrue(block * blocks >= 5000, size + " B: " + block);
                assertEquals(0, block % 16, size + " B: " + block);
            }
            // 8 B: 65 536 records of 16 bytes in the 1 MiB ring, 4 laps in 3 blocks
            assertEquals(87_392, ChannelPaired.javaWarmupBlock(plan, false, 8));
            // 64 KiB: 15 records a lap; C2's calls decide
            assertEquals(5008, ChannelPaired.javaWarmupBlock(plan, false, 65536));
        }
    }

    @Test
    void sleepingPairsWarmUpPastC2sInvocationThreshold() {
        for (Plan plan : List.of(Plan.fullRun(), Plan.quickRun())) {
            assertTrue(ChannelPaired.javaWarmupBlock(plan, true, 64) * ChannelPaired.minWarmupBlocks(plan) > 5000);
        }
    }
}
