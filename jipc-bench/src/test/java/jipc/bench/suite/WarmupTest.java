package jipc.bench.suite;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Warm-up until stable, with scripted rates: when it stops, and the block sizes it asks for. */
class WarmupTest {
    /** A side whose rate per block follows a script (then stays at its last rate); records the counts asked for. */
    private static final class Scripted implements Warmup.Block {
        final double[] rates;
        final List<Long> counts = new ArrayList<>();

        Scripted(double... rates) {
            this.rates = rates;
        }

        @Override
        public double run(long count) {
            counts.add(count);
            return rates[Math.min(counts.size() - 1, rates.length - 1)];
        }
    }

    @Test
    void aSideThatSpeedsUpIsWarmedUntilThreeBlocksAgreeAndIsThenMeasuredAtItsWarmPace() throws Exception {
        // 1 000 msg/s interpreted, then 100 000 msg/s compiled
        Scripted side = new Scripted(1_000, 1_000, 1_000, 50_000, 100_000, 100_000, 100_000, 100_000);
        Warmup.Result r = Warmup.run(side, 100, 1_000_000, 0.05, 0.5, 10, 0.10, Warmup.FROM_RATE);
        assertTrue(r.stable());
        assertEquals(100_000, r.rate());
        assertEquals(5_000, r.count(), "0.05 s at 100 000 msg/s");
        // three blocks of 1 000 msg/s are stable but come before the time floor: 0.1 s each
        assertEquals(List.of(100L, 100L, 100L, 100L, 2_500L, 5_000L, 5_000L), side.counts.subList(0, 7));
        assertTrue(r.seconds() >= 0.5, r.toString());
        assertTrue(r.describe().startsWith("stable after "), r.describe());
    }

    @Test
    void aSideThatNeverSettlesStopsAtTheTimeLimitAndSaysSo() throws Exception {
        double[] rates = new double[1000];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = i % 2 == 0 ? 1_000 : 2_000;
        }
        Warmup.Result r = Warmup.run(new Scripted(rates), 100, 100, 0.05, 0.1, 1.0, 0.10, Warmup.FROM_RATE);
        assertFalse(r.stable());
        assertTrue(r.seconds() >= 1.0 && r.seconds() < 1.2, r.toString());
        assertTrue(r.describe().startsWith("NOT stable after "), r.describe());
    }

    @Test
    void blockSizesStayBetweenTheFirstAndTheLargest() throws Exception {
        Warmup.Result slow = Warmup.run(new Scripted(10), 1_000, 5_000, 0.05, 0, 1000, 0.10, Warmup.FROM_RATE);
        assertEquals(1_000, slow.count());
        Warmup.Result fast = Warmup.run(new Scripted(1e9), 1_000, 5_000, 0.05, 0, 1000, 0.10, Warmup.FROM_RATE);
        assertEquals(5_000, fast.count());
    }

    @Test
    void roundRobinTurnsThroughTheSidesNotYetWarmAndStopsEachByItsOwnRule() throws Exception {
        List<String> order = new ArrayList<>();
        Scripted java = new Scripted(100, 200, 300, 400, 400, 400);
        Scripted c = new Scripted(50);
        Scripted quick = new Scripted(10, 10);
        Warmup.Rule javaRule = Warmup.Rule.blocks(2, 0.025, 3, 10);
        List<Warmup.Result> results = Warmup.roundRobin(List.of(
                Warmup.Side.fixed(n -> { order.add("java"); return java.run(n); }, javaRule, 5000),
                Warmup.Side.fixed(n -> { order.add("c"); return c.run(n); }, Warmup.Rule.ONCE, 2000),
                Warmup.Side.fixed(n -> { order.add("quick"); return quick.run(n); }, javaRule, 5000)),
                Warmup.FROM_RATE);
        // the C side runs once; the steady third side needs its 3 blocks; the Java side settles at its 5th block
        assertEquals(List.of("java", "c", "quick", "java", "quick", "java", "quick", "java", "java"), order);
        assertEquals(List.of(5000L, 5000L, 5000L, 5000L, 5000L), java.counts, "fixed-size blocks");
        assertTrue(results.get(0).stable(), results.get(0).toString());
        assertEquals(5, results.get(0).blocks());
        assertEquals(400, results.get(0).rate());
        assertEquals(1, results.get(1).blocks());
        assertEquals("1 warm-up block (40.0 s)", results.get(1).describe());
        assertEquals(3, results.get(2).blocks());
        assertTrue(results.get(2).stable());
    }

    @Test
    void aSideStillChangingAtItsLastBlockIsReportedNotStable() throws Exception {
        Scripted side = new Scripted(100, 200, 300, 400, 500, 600);
        Warmup.Result r = Warmup.roundRobin(List.of(Warmup.Side.fixed(side, Warmup.Rule.blocks(2, 0.025, 3, 4),
                100)), Warmup.FROM_RATE).get(0);
        assertFalse(r.stable());
        assertEquals(4, r.blocks());
        assertTrue(r.describe().startsWith("NOT stable after 4 warm-up blocks"), r.describe());
    }

    @Test
    void aFirstBlockPastTheTimeLimitEndsTheWarmUpNotStable() throws Exception {
        // one block of 100 at 10 msg/s lasts 10 s, past the 2 s limit: a loaded machine's first block
        Warmup.Result r = Warmup.run(new Scripted(10), 100, 1_000, 0.02, 0.4, 2, 0.10, Warmup.FROM_RATE);
        assertEquals(1, r.blocks());
        assertFalse(r.stable());
        assertTrue(r.describe().startsWith("NOT stable after 1 warm-up blocks"), r.describe());
    }

    @Test
    void aRuleSaysWhatItWaitsFor() {
        assertEquals("the last 2 blocks within 2.5 % of their median, 3 to 10 blocks",
                Warmup.Rule.blocks(2, 0.025, 3, 10).describe());
        assertEquals("1 block", Warmup.Rule.ONCE.describe());
        assertThrows(IllegalArgumentException.class, () -> new Warmup.Rule(0, 0.1, 1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Warmup.Rule(2, 0.1, 3, 2, 0, 1));
    }

    @Test
    void badArgumentsAndRatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Warmup.run(c -> 1, 0, 10, 0.05, 0, 1, 0.1, Warmup.FROM_RATE));
        assertThrows(IllegalArgumentException.class, () -> Warmup.run(c -> 1, 10, 5, 0.05, 0, 1, 0.1, Warmup.FROM_RATE));
        assertThrows(IllegalArgumentException.class, () -> Warmup.run(c -> 1, 10, 50, 0.05, 2, 1, 0.1, Warmup.FROM_RATE));
        assertThrows(java.io.IOException.class, () -> Warmup.run(c -> 0, 10, 50, 0.05, 0, 1, 0.1, Warmup.FROM_RATE));
    }
}
