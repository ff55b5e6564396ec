package jipc.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jipc.bench.suite.Result;

@Timeout(30)
class ConsoleReportTest {

    @Test
    void tablesAreGroupedByKindThenSizeWithJipcRowsFirst() {
        List<Table> tables = Tables.of(Samples.run().results());

        assertEquals(List.of("latency, 64 B round trips (ns)", "latency, 4 KiB round trips (ns)",
                "throughput, 64 B messages one way", "throughput, 64 KiB messages one way",
                "idle receiver, CPU while blocked"), tables.stream().map(Table::title).toList());
        assertEquals(List.of("jipc pipe", "C pipe", "C shm spin flag", "jipc channel spin", "Agrona ring buffer spin",
                "C futex", "jipc channel futex"), tables.get(0).rows().stream().map(row -> row.get(0)).toList());
        assertEquals(List.of("jipc pipe", "10000", "20000", "30000", "40000", "60000", "200000"),
                tables.get(0).rows().get(0));
    }

    @Test
    void everyJipcRowIsDividedByTheRowsOfTheSameMechanismAndSize() {
        List<Table> tables = Tables.of(Samples.run().results());

        // latency 64 B: jipc pipe / C pipe (2x on every percentile); no row of another mechanism is a baseline
        assertEquals(List.of(List.of("jipc pipe / C pipe", "", "2.00", "2.00", "2.00", "2.00", "2.00")),
                tables.get(0).ratios());
        // latency 4 KiB: no C row there, no ratio
        assertTrue(tables.get(1).ratios().isEmpty());
        // throughput 64 B: msg/s, MB/s, CPU send, CPU receive
        assertEquals(List.of("jipc channel / C channel", "", "0.67", "0.67", "2.00", "2.00"),
                tables.get(2).ratios().get(0));
        assertEquals(List.of("jipc channel / Agrona channel", "", "1.25", "1.25", "0.83", "0.83"),
                tables.get(2).ratios().get(1));
        // and the other Java implementations by C
        assertEquals(List.of("Agrona channel / C channel", "", "0.53", "0.53", "2.40", "2.40"),
                tables.get(2).ratios().get(2));
        assertEquals(3, tables.get(2).ratios().size());
    }

    @Test
    void goalsSayMetOrByHowMuchTheyAreMissed() {
        List<Targets.Check> checks = Targets.of(Samples.run().results());
        List<String> lines = checks.stream().map(c -> c.goal() + " = " + c.valueText() + " " + c.target() + ": "
                + c.verdict()).toList();

        assertEquals(List.of(
                "latency 64 B p50: jipc channel spin / C shm spin flag = 1.50 <= 1.2: missed by 25%",
                "latency 64 B p50: jipc channel spin / Agrona ring buffer spin = 1.07 <= 1: missed by 7%",
                "latency 64 B p99: jipc channel spin / Agrona ring buffer spin = 1.07 <= 1: missed by 7%",
                "latency 64 B p50: jipc channel futex / C futex = 1.07 <= 1.1: met",
                "idle: jipc channel futex, % of a core = 0.02 < 1: met",
                "throughput 64 B msg/s: jipc channel / C channel = 0.67 >= 0.8: missed by 17%",
                "throughput 64 B msg/s: jipc channel / Agrona channel = 1.25 >= 1: met",
                "throughput 64 KiB MB/s: jipc channel / C memcpy = 0.40 >= 0.8: missed by 50%",
                "throughput 64 KiB MB/s: jipc pipe / C pipe = 0.96 >= 0.95: met"), lines);
    }

    @Test
    void virtualThreadRowsAreHeldAgainstTheirPlatformThreadTwins() {
        List<Result> results = List.of(Samples.latency("jipc", "channel futex", 64, 16_000),
                Samples.latency("jipc", "channel futex" + Result.VIRTUAL_THREAD, 64, 20_000),
                Samples.latency("C", "futex", 64, 16_000), Samples.latency("jipc", "pipe", 64, 20_000),
                Samples.latency("jipc", "pipe" + Result.VIRTUAL_THREAD, 64, 32_000),
                Samples.idle("jipc", "channel futex" + Result.VIRTUAL_THREAD, 0.05));

        List<String> goals = Targets.of(results).stream().map(c -> c.goal() + " = " + c.valueText() + " "
                + c.target() + ": " + c.verdict()).toList();
        assertEquals(List.of("latency 64 B p50: jipc channel futex / C futex = 1.00 <= 1.1: met",
                "latency 64 B p50: jipc channel futex (virtual thread) / jipc channel futex = 1.25 <= 1.5: met",
                "latency 64 B p50: jipc pipe (virtual thread) / jipc pipe = 1.60 <= 1.5: missed by 7%",
                "idle: jipc channel futex (virtual thread), % of a core = 0.05 < 1: met"), goals);

        List<Table> tables = Tables.of(results);
        assertEquals(List.of("jipc channel futex", "jipc channel futex (virtual thread)", "C futex", "jipc pipe",
                "jipc pipe (virtual thread)"), tables.get(0).rows().stream().map(row -> row.get(0)).toList());
        assertEquals(List.of(
                List.of("jipc channel futex (virtual thread) / jipc channel futex", "", "1.25", "1.25", "1.25", "1.25",
                        "1.25"),
                List.of("jipc pipe (virtual thread) / jipc pipe", "", "1.60", "1.60", "1.60", "1.60", "1.60")),
                tables.get(0).ratios());
    }

    @Test
    void consoleShowsTheRunsFactsAlignedTablesGoalsAndFailedSteps() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleReport.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), Samples.run());
        String text = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(text.startsWith("jipc bench (quick run, pipe, channel) 2026-11-30T05:00:00Z, 42 s\n"
                + "machine: Test CPU, 2 CPUs usable, Linux 6.1, JDK 25\n"
                + "JDK: Temurin 25; C compiler: gcc (Debian 12.2.0-14) 12.2.0\n"
                + "pinning: cpu 0,1; load average (1/5/15 min): 1.00 0.50 0.25 at the start, 1.10 0.60 0.30 at the end\n"),
                text);
        assertTrue(text.contains("""

                latency, 64 B round trips (ns)  count    p50    p90    p99  p99.9     max
                jipc pipe                       10000  20000  30000  40000  60000  200000
                C pipe                          10000  10000  15000  20000  30000  100000
                """), text);
        assertTrue(text.contains("""
                jipc channel futex              10000  16000  24000  32000  48000  160000

                jipc pipe / C pipe                      2.00   2.00   2.00   2.00    2.00

                latency, 4 KiB"""), text);
        assertTrue(text.contains("""
                throughput, 64 B messages one way    count  msg/s   MB/s  CPU ns/msg send  CPU ns/msg recv
                jipc channel                       1000000  10.0M  640.0             50.0              100
                """), text);
        // notes: a row's own, and its pinning where it differs from the run's ("cpu 0,1")
        assertTrue(text.contains("""
                jipc channel futex                    3    0.02
                  note: jipc channel futex: pinning none; receiver blocked in futex wait
                """), text);
        assertTrue(text.contains("""
                latency 64 B p50: jipc channel spin / C shm spin flag           1.50   <= 1.2  missed by 25%
                """), text);
        assertTrue(text.endsWith("1 step failed:\n  latency: C socket 64 B: IOException: gcc failed: exit 1\n"), text);
    }

    @Test
    void rowsWithTheSameNoteShareOneNoteLine() {
        Result jipc = Samples.throughput("jipc", "pipe", 64, 1e5, 10);
        Result c = Samples.throughput("C", "pipe", 64, 2e5, 5);
        Result fifo = Samples.throughput("jipc", "fifo", 64, 1e5, 10);
        String note = "pipe capacity 1024 KiB";
        List<Result> rows = List.of(withNote(jipc, note), withNote(c, note), withNote(fifo, "FIFO"));

        assertEquals(List.of("jipc pipe, C pipe: pipe capacity 1024 KiB", "jipc fifo: FIFO"),
                Tables.of(rows, "cpu 0,1").get(0).notes());
    }

    private static Result withNote(Result r, String note) {
        return new Result(r.mechanism(), r.implementation(), r.kind(), r.messageSize(), r.count(), r.p50(), r.p90(),
                r.p99(), r.p999(), r.max(), r.mean(), r.curve(), r.messagesPerSecond(), r.bytesPerSecond(),
                r.senderCpuNanosPerMessage(), r.receiverCpuNanosPerMessage(), r.idleCpuPercent(), r.pinning(), note);
    }

    @Test
    void figuresNotMeasuredShowAsADashAndSizesInBinaryUnits() {
        Result idle = Samples.idle("C", "futex", Double.NaN);
        assertEquals(List.of("C futex", "3", "-"), Tables.cells(idle));
        assertEquals("-", Figures.ratio(1, 0));
        assertEquals("64 B", Figures.size(64));
        assertEquals("4 KiB", Figures.size(4096));
        assertEquals("1 MiB", Figures.size(1 << 20));
        assertEquals("1000 B", Figures.size(1000));
        assertEquals("12.3M", Figures.rate(12_345_678));
        assertEquals("950", Figures.rate(950));
        assertEquals("1.50k", Figures.rate(1500));
    }
}
