package jipc.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import jipc.bench.suite.SuiteRun;

/**
 * A run as JSON ({@code results.json}): the {@link SuiteRun} record as it is, figures not measured written as
 * {@code "NaN"}. Reading ignores fields it does not know, so a newer file still compares with an older one.
 */
public final class ResultsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ResultsJson() {
    }

    /** {@code run} as JSON text. */
    public static String toJson(SuiteRun run) {
        try {
            return MAPPER.writeValueAsString(run) + "\n";
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write the run as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The run in {@code json}. */
    public static SuiteRun fromJson(String json) throws IOException {
        SuiteRun run = MAPPER.readValue(json, SuiteRun.class);
        if (run == null || run.info() == null) {
            throw new IOException("no run in it (expected an object with \"info\", \"results\", \"failures\")");
        }
        return run;
    }

    /** Writes {@code run} to {@code file} (creating its directory). */
    public static void write(SuiteRun run, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson(run));
    }

    /**
     * Reads a run from {@code file}.
     *
     * @throws NoSuchFileException if it does not exist
     * @throws IOException naming the file if it is not a {@code jipc bench} results file
     */
    public static SuiteRun read(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            return fromJson(text);
        } catch (JacksonException e) {
            throw new IOException(file + " is not a jipc bench results file: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IOException(file + " is not a jipc bench results file: " + e.getMessage(), e);
        }
    }
}
