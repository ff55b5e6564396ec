package jipc.cli.bench;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import jipc.bench.report.Compare;
import jipc.bench.report.ResultsJson;
import jipc.bench.suite.SuiteRun;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jipc bench compare A.json B.json}: the rows of two runs side by side, with B / A of each figure. */
@Command(name = "compare",
        description = {"Compare two runs saved with --json (or a report's results.json): every row present in both, "
                + "with A's and B's main figure and the ratio B/A of each figure.",
                "Runs at different times carry different noise: both runs' load averages are printed."})
public final class BenchCompare implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A.json", description = "The earlier (or reference) run.")
    Path a;

    @Parameters(index = "1", paramLabel = "B.json", description = "The later run.")
    Path b;

    @Override
    public Integer call() throws IOException {
        SuiteRun runA = read(a);
        SuiteRun runB = read(b);
        Compare.print(System.out, a.toString(), runA, b.toString(), runB);
        return ExitCodes.OK;
    }

    private static SuiteRun read(Path file) throws IOException {
        try {
            return ResultsJson.read(file);
        } catch (NoSuchFileException e) {
            throw new Failure(ExitCodes.NO_INPUT, file + ": no such file");
        } catch (IOException e) {
            throw new Failure(ExitCodes.NO_INPUT, e.getMessage());
        }
    }
}
