package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import jipc.bench.report.ResultsJson;
import jipc.bench.suite.SuiteRun;

/**
 * {@code jipc bench} from the packaged jar, with this module's test benchmarks ({@link BenchFixture}) on the class
 * path beside it: a run with a report, compare, usage errors and a failing step.
 */
@Timeout(180)
class BenchCommandIT {
    private static final Path TEST_CLASSES = Path.of("target/test-classes").toAbsolutePath();

    @TempDir
    Path dir;

    /** {@code java -cp jipc.jar:test-classes jipc.cli.Main ARGS} (native access granted: -cp ignores the manifest). */
    private Run.Result jipc(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Run.JAVA.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", Run.JAR + ":" + TEST_CLASSES, "jipc.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        // a cache between runs of this test's own: the first run makes the class archive, a second finds it
        builder.environment().put("JIPC_BENCH_CACHE", dir.resolve("cache").toString());
        return Run.run(builder, "");
    }

    @Test
    void runPrintsTablesWritesJsonAndAReportAndComparesTwoRuns() throws Exception {
        Path report = dir.resolve("report");
        Path json = dir.resolve("run.json");

        Run.Result result = jipc("bench", "--only", "fixture", "--pin", "0,0", "--report", report.toString(),
                "--json", json.toString(), "--verbose");

        assertEquals(0, result.exitCode(), result.err());
        String out = result.out();
        assertTrue(out.startsWith("jipc bench (quick run, fixture) "), out);
        assertTrue(out.contains("\npinning: cpu 0,0; load average (1/5/15 min): "), out);
        assertTrue(out.contains("\nlatency, 64 B round trips (ns)  count"), out);
        assertTrue(out.contains("\njipc pipe echo                    " + BenchFixture.ROUNDS + " "), out);
        assertTrue(out.contains("\nC pipe echo                       " + BenchFixture.ROUNDS + " "), out);
        assertTrue(out.contains("\njipc pipe echo / C pipe echo "), out);
        // progress: one line per step (stderr is a file here), the verbose log, and where the files went
        String err = result.err();
        assertTrue(err.contains("[1/3] latency: jipc pipe echo 64 B: "), err);
        assertTrue(err.contains("[3/3] compile the C baselines from the jar: "), err);
        // the run's class archive, made when the first Java peer starts, and handed to the peers
        assertTrue(err.contains("  | class archive: " + Run.JAVA + " --enable-native-access=ALL-UNNAMED"
                + " -XX:+UseSerialGC -XX:ArchiveClassesAtExit="), err);
        assertTrue(err.contains("  | peer: " + Run.JAVA + " --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC"
                + " -XX:SharedArchiveFile="), err);
        assertTrue(err.contains("/peers.jsa -Xshare:auto -Xlog:cds=off -Xlog:aot=off -cp "), err);
        assertTrue(err.contains("  | gcc -O2 -Wall -Wextra -o "), err);
        assertTrue(err.contains("report: " + report.resolve("index.html")), err);

        SuiteRun run = ResultsJson.read(json);
        assertEquals(2, run.results().size());
        assertEquals(run, ResultsJson.read(report.resolve("results.json")));
        assertEquals("cpu 0,0", run.info().pinning());
        String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("<img alt=\"Round-trip latency by percentile, 64 B\" src=\"data:image/png;base64,"),
                html.substring(0, Math.min(html.length(), 3000)));
        assertTrue(Files.readString(report.resolve("log.txt")).contains("== compile the C baselines from the jar\n"));

        // a second run takes the class archive from the cache between runs
        Run.Result again = jipc("bench", "--only", "fixture", "--pin", "0,0", "--steps", "jipc pipe echo",
                "--verbose");
        assertEquals(0, again.exitCode(), again.err());
        String cached = dir.resolve("cache").toString() + "/peers-";
        assertTrue(again.err().contains("  | class archive: " + cached), again.err());
        assertTrue(again.err().contains(" from the cache between runs\n"), again.err());
        assertFalse(again.err().contains("-XX:ArchiveClassesAtExit="), again.err());
        assertTrue(again.err().contains(" -XX:SharedArchiveFile=" + cached), again.err());

        Run.Result compared = jipc("bench", "compare", json.toString(), report.resolve("results.json").toString());
        assertEquals(0, compared.exitCode(), compared.err());
        assertTrue(compared.out().startsWith("A: " + json + "\n"), compared.out());
        assertTrue(compared.out().contains("\njipc pipe echo  "), compared.out());
        assertTrue(compared.out().contains("1.00     1.00"), compared.out());
    }

    @Test
    void aFailingStepIsReportedAndTheRunExitsNonZero() throws Exception {
        Run.Result result = jipc("bench", "--only", "fixture-broken");

        assertEquals(ExitCodes.SOFTWARE, result.exitCode(), result.err());
        assertTrue(result.err().contains("[1/1] broken on purpose FAILED: IOException: this step always fails\n"),
                result.err());
        assertTrue(result.out().contains("1 step failed:\n  broken on purpose: IOException: this step always fails"),
                result.out());
        assertTrue(result.err().endsWith("jipc bench: 1 of the run's steps failed (listed above)\n"), result.err());
    }

    @Test
    void aRunStoppedByASignalPrintsTheStepsThatFinished() throws Exception {
        Path json = dir.resolve("partial.json");
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        List<String> command = new ArrayList<>(List.of(Run.JAVA.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", Run.JAR + ":" + TEST_CLASSES, "jipc.cli.Main", "bench", "--only", "fixture-slow", "--json",
                json.toString()));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(err).contains("[1/2] latency: C pipe echo 64 B: ")) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline, Files.readString(err));
                Thread.sleep(100);
            }
            process.destroy(); // SIGTERM, as a kill or (like SIGINT) Ctrl-C
            Run.waitFor(process);
        } finally {
            process.destroyForcibly();
        }

        String stdout = Files.readString(out);
        assertTrue(Files.readString(err).contains("jipc bench: stopped; the results of the steps that finished:"),
                Files.readString(err));
        assertTrue(stdout.contains("\nC pipe echo                       " + BenchFixture.ROUNDS + " "), stdout);
        assertEquals(1, ResultsJson.read(json).results().size());
    }

    @Test
    void theStepFilterRunsOneStepWithTheJvmOptionsGivenToThePeers() throws Exception {
        Path json = dir.resolve("one.json");

        Run.Result result = jipc("bench", "--only", "fixture,fixture-broken", "--steps", "jipc pipe echo",
                "--jvm-option=-XX:TieredStopAtLevel=1", "--jvm-option=-Dfixture.mark=on", "--verbose", "--json",
                json.toString());

        assertEquals(0, result.exitCode(), result.err());
        String err = result.err();
        assertTrue(err.contains("[1/1] latency: jipc pipe echo 64 B: "), err);
        assertTrue(err.contains("  | peer: " + Run.JAVA + " --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC "
                + "-XX:SharedArchiveFile="), err);
        assertTrue(err.contains("/peers.jsa -Xshare:auto -Xlog:cds=off -Xlog:aot=off -XX:TieredStopAtLevel=1"
                + " -Dfixture.mark=on -cp "), err);
        assertTrue(result.out().startsWith("jipc bench (quick run, fixture) "), result.out());
        assertTrue(result.out().contains("\nrun options: JVM options -XX:TieredStopAtLevel=1 -Dfixture.mark=on; steps "
                + "containing 'jipc pipe echo'\n"), result.out());
        SuiteRun run = ResultsJson.read(json);
        assertEquals(List.of("fixture"), run.info().benchmarks()); // fixture-broken: no step selected, left out
        assertEquals(List.of("jipc pipe echo"), run.results().stream().map(r -> r.name()).toList());
    }

    @Test
    void repeatRunsTheStepsRoundRobinAndKeepsTheMedianRun() throws Exception {
        Path json = dir.resolve("repeat.json");

        Run.Result result = jipc("bench", "--only", "fixture", "--steps", "C pipe", "--repeat", "3", "--json",
                json.toString());

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("[1/3] latency: C pipe echo 64 B (run 1/3): "), result.err());
        assertTrue(result.err().contains("[3/3] latency: C pipe echo 64 B (run 3/3): "), result.err());
        SuiteRun run = ResultsJson.read(json);
        assertEquals(1, run.results().size(), run.results().toString());
        assertEquals(BenchFixture.ROUNDS, run.results().getFirst().count());
        assertTrue(run.results().getFirst().note().startsWith("the median run by p50 (ns) of 3 runs, round robin ("),
                run.results().getFirst().note());
        assertTrue(run.info().plan().endsWith("; every step 3 times, round robin, the median run shown"),
                run.info().plan());
    }

    @Test
    void listShowsOnlyTheStepsTheFilterAndTheSizesSelect() throws Exception {
        Run.Result fixtures = jipc("bench", "--list", "--only", "fixture,fixture-broken,fixture-slow", "--steps",
                "C pipe,compile");

        assertEquals(0, fixtures.exitCode(), fixtures.err());
        assertEquals(List.of("fixture: 2 steps, about 1 s", "  latency: C pipe echo 64 B (0.2 s)",
                "  compile the C baselines from the jar (1.0 s)", "fixture-slow: 1 steps, about 0 s",
                "  latency: C pipe echo 64 B (0.2 s)"), fixtures.out().lines().toList());

        Run.Result channel = jipc("bench", "--list", "--only", "channel", "--latency-sizes", "128",
                "--throughput-sizes", "none", "--steps", "latency");

        assertEquals(0, channel.exitCode(), channel.err());
        List<String> steps = channel.out().lines().skip(1).map(String::strip).toList();
        assertEquals(List.of("channel latency 128 B: jipc, C twin, Agrona, C floors (paired)"),
                steps.stream().map(l -> l.replaceAll(" \\([0-9.]+ s\\)$", "")).toList());
    }

    @Test
    void usageErrorsExit64WithAShortMessage() throws Exception {
        String[][] cases = {
                {"no benchmark 'nosuch'; known: ", "bench", "--only", "nosuch"},
                {"--pin takes two CPU numbers", "bench", "--pin", "0"},
                {"--quick and --full exclude each other", "bench", "--quick", "--full"},
                {"Missing required parameter: 'B.json'", "bench", "compare", "a.json"},
                {"Unknown option: '--fast'", "bench", "--fast"},
                {"--steps nosuch,Latency: no step of fixture, fixture-slow has a name containing any of them (--list "
                        + "shows the step names)", "bench", "--only", "fixture,fixture-slow", "--steps",
                        "nosuch,Latency"},
                {"--steps nosuch: no step of fixture has a name containing it", "bench", "--list", "--only", "fixture",
                        "--steps", "nosuch"},
                {"--latency-sizes takes message sizes in bytes from 1 to 16777216, separated by commas, or none: "
                        + "'64,0'", "bench", "--latency-sizes", "64,0"},
                {"--throughput-sizes takes message sizes", "bench", "--throughput-sizes", "64k"},
                {"--repeat takes a count of at least 1: 0", "bench", "--repeat", "0"}};
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            Run.Result result = jipc(args);
            assertEquals(ExitCodes.USAGE, result.exitCode(), String.join(" ", args) + ": " + result.err());
            assertTrue(result.err().contains(c[0]), result.err());
            result.assertNoStackTrace();
        }
    }

    @Test
    void compareOfAFileThatIsNotAResultsFileSaysSo() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"results\": 3}");

        Run.Result result = jipc("bench", "compare", bad.toString(), dir.resolve("missing.json").toString());

        assertEquals(ExitCodes.NO_INPUT, result.exitCode(), result.err());
        assertTrue(result.err().startsWith("jipc bench compare: " + bad + " is not a jipc bench results file: "),
                result.err());
        result.assertNoStackTrace();
    }

    @Test
    void theJarAloneListsTheBenchmarksItCarries() throws Exception {
        Run.Result result = Run.jipc("", "bench", "--help");

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("--only=ID"), result.out());
        assertTrue(result.out().contains("compare"), result.out());
    }
}
