package jipc.bench.suite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import jipc.bench.report.Targets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The statistics of paired ratios: known inputs give known medians and order-statistic intervals. */
class PairedTest {
    private static double[] oneTo(int n) {
        List<Double> values = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            values.add((double) i);
        }
        Collections.shuffle(values, new java.util.Random(42));
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void twentyBlocksGiveTheSixthAndFifteenthRatiosAsThe95PercentInterval() {
        Paired.Estimate e = Paired.estimate(oneTo(20));
        assertEquals(20, e.blocks());
        assertEquals(10.5, e.median());
        assertEquals(6, e.low());
        assertEquals(15, e.high());
        // 1 - 2 P(Bin(20, 1/2) <= 5) = 1 - 2 * 21700 / 2^20
        assertEquals(1 - 2 * 21700.0 / (1 << 20), e.confidence(), 1e-12);
    }

    @Test
    void nineBlocksGiveTheSecondAndEighth() {
        Paired.Estimate e = Paired.estimate(oneTo(9));
        assertEquals(5, e.median());
        assertEquals(2, e.low());
        assertEquals(8, e.high());
        assertEquals(1 - 2 * 10.0 / 512, e.confidence(), 1e-12);
    }

    @Test
    void belowSixBlocksTheIntervalIsMinToMaxAndCoversLessThan95Percent() {
        Paired.Estimate five = Paired.estimate(new double[] {0.9, 1.3, 1.1, 1.0, 1.2});
        assertEquals(1.1, five.median());
        assertEquals(0.9, five.low());
        assertEquals(1.3, five.high());
        assertEquals(1 - 2.0 / 32, five.confidence(), 1e-12);
        Paired.Estimate six = Paired.estimate(oneTo(Paired.MIN_BLOCKS_FOR_95));
        assertEquals(3.5, six.median());
        assertEquals(1, six.low());
        assertEquals(6, six.high());
        assertTrue(six.confidence() >= 0.95, six.toString());
        Paired.Estimate one = Paired.estimate(new double[] {2.0});
        assertEquals(2.0, one.median());
        assertEquals(2.0, one.low());
        assertEquals(2.0, one.high());
        assertThrows(IllegalArgumentException.class, () -> Paired.estimate(new double[0]));
    }

    @Test
    void theIntervalIsAlwaysAtLeast95PercentFromSixBlocksOnAndHoldsTheMedian() {
        for (int n = Paired.MIN_BLOCKS_FOR_95; n <= 200; n++) {
            Paired.Estimate e = Paired.estimate(oneTo(n));
            assertTrue(e.confidence() >= 0.95, n + ": " + e);
            assertTrue(e.low() <= e.median() && e.median() <= e.high(), n + ": " + e);
            // the largest such interval's inner neighbour would cover less than 95 %
            int k = (int) e.low();
            assertTrue(k == (n + 1) / 2 || 1 - 2 * Paired.binomialAtMost(n, k) < 0.95, n + ": " + e);
        }
    }

    @Test
    void alternateRunsTheSidesInTurnsAndDividesEachBlockByItsPartner() throws Exception {
        List<String> order = new ArrayList<>();
        double[] a = {2, 4, 6, 8, 10, 12};
        double[] b = {1, 1, 2, 2, 4, 4};
        int[] next = {0, 0};
        Paired.Run run = Paired.alternate(() -> {
            order.add("A");
            return a[next[0]++];
        }, () -> {
            order.add("B");
            return b[next[1]++];
        }, 6);
        assertEquals(List.of("A", "B", "A", "B", "A", "B", "A", "B", "A", "B", "A", "B"), order);
        assertEquals("[2.0, 4.0, 3.0, 4.0, 2.5, 3.0]", Arrays.toString(run.ratios()));
        assertEquals(3.0, run.estimate().median());
        assertEquals(2.0, run.estimate().low());
        assertEquals(4.0, run.estimate().high());
        assertThrows(IllegalArgumentException.class, () -> Paired.alternate(() -> 1, () -> 1, 0));
    }

    @Test
    void rotateTurnsThroughEverySideAndPairsAnyTwo() throws Exception {
        List<Integer> order = new ArrayList<>();
        List<Paired.Side> sides = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            int side = s;
            sides.add(() -> {
                order.add(side);
                return side + 1.0;
            });
        }
        Paired.Rotation rotation = Paired.rotate(sides, 2);
        assertEquals(List.of(0, 1, 2, 0, 1, 2), order);
        assertEquals(3.0, rotation.ratio(2, 0).estimate().median());
        assertEquals(0.5, rotation.ratio(0, 1).estimate().median());
    }

    @Test
    void aPairedGoalIsMetOnlyWhenTheWholeIntervalIsOnTheRightSide() {
        Targets.Check met = new Targets.Check("g", 0.95, false, false, 0.8, 0.85, 1.1, "floor");
        Targets.Check unsure = new Targets.Check("g", 0.95, false, false, 0.8, 0.7, 1.1, "floor");
        Targets.Check missed = new Targets.Check("g", 0.7, false, false, 0.8, 0.6, 0.79, "floor");
        Targets.Check latency = new Targets.Check("g", 1.1, true, false, 1.2, 1.05, 1.25, "");
        assertTrue(met.met());
        assertEquals("met", met.verdict());
        assertFalse(unsure.met());
        assertEquals("unsure: the interval crosses the target", unsure.verdict());
        assertFalse(missed.met());
        assertEquals("missed by 13%", missed.verdict());
        assertFalse(latency.met());
        assertEquals("0.85-1.10", met.intervalText());
        assertEquals("", new Targets.Check("g", 1, true, false, 1.2).intervalText());
    }

    @Test
    void pairedGoalsComeFromTheRunsPairedRatios() {
        Result jipc = row("jipc", "topic BLOCK 1->4 hybrid");
        Result c = row("C", "topic BLOCK 1->4 hybrid");
        Paired.Run run = new Paired.Run(new double[] {1}, new double[] {1}, new double[] {0.9},
                Paired.estimate(new double[] {0.85, 0.9, 0.95, 0.9, 0.88, 0.92}), 1.5);
        PairedRatio ratio = PairedRatio.of(jipc, c, "msg/s", run, "C memcpy 64 B: 150M msg/s", "");
        List<Targets.Check> checks = Targets.of(List.of(jipc, c), List.of(ratio));
        Targets.Check goal = checks.stream().filter(Targets.Check::hasInterval).findFirst().orElseThrow();
        assertEquals("throughput 64 B msg/s (paired, 6 blocks): jipc topic BLOCK 1->4 hybrid / C topic BLOCK 1->4"
                + " hybrid", goal.goal());
        assertEquals(">= 0.8", goal.target());
        assertEquals("met", goal.verdict());
        assertEquals("C memcpy 64 B: 150M msg/s", goal.floor());
    }

    @Test
    void thePythonConsumerGoalHoldsAt64KiBOnly() {
        Paired.Run run = new Paired.Run(new double[] {1}, new double[] {1}, new double[] {0.9},
                Paired.estimate(new double[] {0.85, 0.9, 0.95, 0.9, 0.88, 0.92}), 1.5);
        List<PairedRatio> ratios = new ArrayList<>();
        for (int size : new int[] {64, 65536}) {
            ratios.add(PairedRatio.of(row("Java->Python", "jipc channel hybrid", size),
                    row("Java->C twin", "jipc channel hybrid", size), "msg/s", run, "", ""));
        }
        List<Targets.Check> goals = Targets.of(List.of(), ratios).stream().filter(Targets.Check::hasInterval)
                .toList();
        assertEquals(List.of("throughput 64 KiB msg/s (paired, 6 blocks): Java->Python jipc channel hybrid /"
                + " Java->C twin jipc channel hybrid"), goals.stream().map(Targets.Check::goal).toList());
        assertEquals(">= 0.8", goals.getFirst().target());
    }

    private static long[] exponential(int n, double mean, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        long[] x = new long[n];
        for (int i = 0; i < n; i++) {
            x[i] = 100 + (long) (-mean * Math.log(1 - random.nextDouble()));
        }
        return x;
    }

    @Test
    void tailRatioOfSamplesAndTheirDoublesIsOneHalfWithAnIntervalAroundIt() {
        long[] a = exponential(20_000, 300, 1);
        long[] b = Arrays.stream(a).map(v -> 2 * v).toArray();
        Paired.Estimate e = Paired.tailRatio(a, b, 0.99, Paired.TAIL_REPLICATES, Paired.TAIL_SEED);
        assertEquals(0.5, e.median(), 1e-12);
        assertTrue(e.low() < 0.5 && e.high() > 0.5, e.toString());
        assertTrue(e.low() > 0.4 && e.high() < 0.6, e.toString());
        assertEquals(20_000, e.blocks());
        assertEquals(0.95, e.confidence());
    }

    @Test
    void tailRatioIsTheSameForTheSameSeedAndLeavesTheSamplesAlone() {
        long[] a = exponential(5_000, 300, 2);
        long[] b = exponential(7_000, 300, 3);
        long[] copy = a.clone();
        Paired.Estimate first = Paired.tailRatio(a, b, 0.999, 500, 7);
        Paired.Estimate second = Paired.tailRatio(a, b, 0.999, 500, 7);
        assertEquals(first, second);
        assertTrue(Arrays.equals(copy, a));
        assertFalse(first.equals(Paired.tailRatio(a, b, 0.999, 500, 8)));
    }

    @Test
    void tailRatioIntervalsOfOneDistributionCoverOneMostOfTheTime() {
        int covered = 0;
        for (int trial = 0; trial < 20; trial++) {
            Paired.Estimate e = Paired.tailRatio(exponential(10_000, 300, 100 + trial),
                    exponential(10_000, 300, 200 + trial), 0.99, 1000, trial);
            covered += e.low() <= 1 && e.high() >= 1 ? 1 : 0;
        }
        // 95 % intervals: 20 trials miss 1 about once; 3 or more misses has probability about 8 %
        assertTrue(covered >= 16, "covered " + covered + " of 20");
    }

    @Test
    void resampledQuantileHasTheDistributionOfABruteForceBootstrap() {
        int n = 50;
        long[] x = new long[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int draws = 20_000;
        double fast = 0;
        double brute = 0;
        long[] resample = new long[n];
        for (int d = 0; d < draws; d++) {
            fast += Paired.resampledQuantile(x, 0.9, random);
            for (int i = 0; i < n; i++) {
                resample[i] = x[random.nextInt(n)];
            }
            Arrays.sort(resample);
            brute += resample[Paired.rank(n, 0.9) - 1];
        }
        assertEquals(brute / draws, fast / draws, 0.15);
    }

    @Test
    void gammaVariatesHaveTheirShapeAsMean() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        for (double shape : new double[] {1, 10, 1000}) {
            double sum = 0;
            for (int i = 0; i < 20_000; i++) {
                sum += Paired.gamma(shape, random);
            }
            assertEquals(shape, sum / 20_000, 0.05 * shape);
        }
    }

    @Test
    void tailRatioRejectsEmptySidesAndQuantilesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> Paired.tailRatio(new long[0], new long[] {1}, 0.99, 100, 1));
        assertThrows(IllegalArgumentException.class, () -> Paired.tailRatio(new long[] {1}, new long[] {1}, 1, 100, 1));
    }

    @Test
    void trimmedMeanRatioCutsEachBlocksExtremesAndPairsBlockByBlock() {
        // two blocks of 100 samples per side: A's block 0 is 99 x 200 plus one 1 000 000 outlier, block 1 is 100 x 300;
        // B's blocks are 100 x 100 and 100 x 150 (the order within a block does not matter)
        long[] a = new long[200];
        long[] b = new long[200];
        Arrays.fill(a, 0, 100, 200);
        a[37] = 1_000_000;
        Arrays.fill(a, 100, 200, 300);
        Arrays.fill(b, 0, 100, 100);
        Arrays.fill(b, 100, 200, 150);
        Paired.Run run = Paired.trimmedMeanRatio(a, b, 2, 0.01, 1.5);
        assertEquals(200, run.a()[0], 1e-9, "the outlier is cut");
        assertEquals(300, run.a()[1], 1e-9);
        assertEquals(2.0, run.ratios()[0], 1e-9);
        assertEquals(2.0, run.ratios()[1], 1e-9);
        assertEquals(2.0, run.estimate().median(), 1e-9);
        assertEquals(1.5, run.seconds());
        // untrimmed, the outlier moves block 0's mean
        assertEquals((99 * 200 + 1_000_000) / 100.0, Paired.trimmedMeanRatio(a, b, 2, 0, 0).a()[0], 1e-9);
    }

    @Test
    void trimmedMeanRatioRejectsUnequalBlocksAndTrimsOfHalfOrMore() {
        assertThrows(IllegalArgumentException.class, () -> Paired.trimmedMeanRatio(new long[5], new long[5], 2, 0.01, 0));
        assertThrows(IllegalArgumentException.class, () -> Paired.trimmedMeanRatio(new long[4], new long[4], 2, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> Paired.trimmedMeanRatio(new long[0], new long[0], 1, 0, 0));
    }

    private static Result row(String implementation, String mechanism) {
        return row(implementation, mechanism, 64);
    }

    private static Result row(String implementation, String mechanism, int size) {
        double nan = Double.NaN;
        return new Result(mechanism, implementation, Result.Kind.THROUGHPUT, size, 1000, nan, nan, nan, nan, nan,
                nan, List.of(), 1e6, 64e6, 100, 100, nan, "cpu 0,1", "");
    }
}
