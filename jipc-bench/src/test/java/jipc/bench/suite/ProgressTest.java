package jipc.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ProgressTest {
    private static final long S = 1_000_000_000L;

    @Test
    void timeLeftIsTheRemainingEstimatesScaledByHowSlowTheFinishedStepsWere() {
        long[] estimates = {10 * S, 10 * S, 20 * S, 30 * S};

        assertEquals(70 * S, Progress.timeLeft(estimates, 0, 0, 0, 0)); // nothing done: the estimates as they are
        assertEquals(65 * S, Progress.timeLeft(estimates, 0, 0, 0, 5 * S)); // half of the first step gone
        // the first step took twice its estimate: the rest is expected to take twice theirs
        assertEquals(120 * S, Progress.timeLeft(estimates, 1, 20 * S, 10 * S, 0));
        // the current step overran its scaled estimate: it counts as about to end, never negative
        assertEquals(100 * S, Progress.timeLeft(estimates, 1, 20 * S, 10 * S, 50 * S));
        assertEquals(0, Progress.timeLeft(estimates, 4, 70 * S, 70 * S, 0));
    }

    @Test
    void clockShowsMinutesAndSeconds() {
        assertEquals("0:00", Progress.clock(0));
        assertEquals("1:05", Progress.clock(65 * S));
        assertEquals("1:01:01", Progress.clock(3661 * S));
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndLinesGoAboveIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Step> steps = List.of(new Step("first", Duration.ofSeconds(2), (plan, log) -> List.of()),
                new Step("second", Duration.ofSeconds(2), (plan, log) -> List.of()));
        try (Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 80)) {
            progress.begin(steps);
            progress.stepStarted(0);
            progress.line("a log line");
            progress.stepFinished(0, null);
            progress.stepStarted(1);
            progress.stepFinished(1, new StepFailure("second", "IOException: no"));
        }
        String text = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(text.startsWith("\r[....................] 1/2 0:00 elapsed, ~0:04 left  first\033[K"), text);
        assertTrue(text.contains("\r\033[Ka log line\n\r[...................."), text);
        assertTrue(text.contains("\r[##########..........] 2/2 "), text);
        assertTrue(text.contains("\r\033[K[2/2] second FAILED: IOException: no\n"), text);
        assertTrue(text.endsWith("FAILED: IOException: no\n"), "no bar after the last step: " + text);
    }
}
