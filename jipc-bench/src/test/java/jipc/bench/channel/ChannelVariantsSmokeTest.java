package jipc.bench.channel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.bench.CProgram;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles {@code channel_variants.c} (the paired C harness of docs/benchmarks.md, "The 8 B spin round trip") with
 * the C twin and runs every variant for a few blocks: the two sides are two processes (fork), every message's
 * sequence number is checked on both sides (a variant that loses or reorders a message exits with status 1), and
 * every variant prints its line. No timing is asserted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChannelVariantsSmokeTest {
    private static final String[] C_TWIN = {"jipc_channel.c", "jipc_channel.h", "jipc_live.c", "jipc_live.h"};
    private static final int VARIANTS = 35;

    @Test
    void everyVariantEchoesEveryMessageInOrderAt8And64Bytes(@TempDir Path work) throws Exception {
        CProgram program = CProgram.compile("channel_variants", work, C_TWIN);
        for (String size : List.of("8", "64")) {
            String output = run(program.executable().toString(), size, "3", "400");
            List<String> lines = output.lines().toList();
            assertTrue(lines.get(0).startsWith("size " + size + ", 3 blocks of 400 round trips"), output);
            assertEquals(VARIANTS + 1, lines.size(), output);
            for (int i = 0; i < VARIANTS; i++) {
                String line = lines.get(i + 1);
                assertTrue(line.matches("\\s*" + i + " .* p50 +[0-9.]+ ns  ratio [0-9.]+ .*"), line);
            }
            assertTrue(lines.get(1).contains("real twin") && lines.get(1).contains("ratio 1.000"), lines.get(1));
        }
    }

    @Test
    void refusesAnUnknownVariantWithUsageStatus(@TempDir Path work) throws Exception {
        CProgram program = CProgram.compile("channel_variants", work, C_TWIN);
        try (ChildProcess child = Spawn.command(program.executable().toString(), "8", "1", "8", "0," + VARIANTS)
                .nullFd(0).nullFd(1).nullFd(2).start()) {
            assertEquals(2, child.waitFor().code());
        }
    }

    /** Runs the harness, returns its standard output; fails unless it exits with status 0. */
    private static String run(String... command) throws Exception {
        byte[] output;
        ExitStatus status;
        try (Pipe pipe = Pipe.open();
                ChildProcess child = Spawn.command(command).nullFd(0).fd(1, pipe.sink()).start()) {
            output = pipe.source().readAllBytes();
            status = child.waitFor();
        }
        String text = new String(output, StandardCharsets.UTF_8);
        assertTrue(status.success(), String.join(" ", command) + ": " + status + "\n" + text);
        return text;
    }
}
