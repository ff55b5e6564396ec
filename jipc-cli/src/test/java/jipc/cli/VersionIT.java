package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code jipc --version} of the packaged jar: the version and the commit the build baked in. */
class VersionIT {

    @Test
    void versionNamesTheProjectVersionAndTheCommitTheJarWasBuiltFrom() throws Exception {
        Run.Result result = Run.jipc("", "--version");

        assertEquals(0, result.exitCode(), result.err());
        String first = result.out().lines().findFirst().orElse("");
        // "jipc 0.2.0 (commit 1a2b3c4)" or "... (commit 1a2b3c4-dirty)"; "unknown" only when built without git.
        String expected = "jipc " + System.getProperty("jipc.version") + " (commit ";
        assertTrue(first.startsWith(expected), first);
        assertTrue(first.matches("jipc \\S+ \\(commit ([0-9a-f]{7,40}(-dirty)?|unknown)\\)"), first);
        assertTrue(result.out().contains("Java " + Runtime.version().feature()), result.out());
    }
}
