package jipc.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * A C baseline built at run time: its source ships in the jar ({@code jipc/bench/c/NAME.c}, from
 * {@code jipc-bench/src/main/c}) and is compiled with the machine's {@code gcc}, so the baseline is built for the
 * same machine the Java side runs on.
 *
 * @param executable the compiled program
 * @param compileCommand the gcc command line that built it, for the report
 * @param compiler {@code gcc --version}'s first line
 */
public record CProgram(Path executable, List<String> compileCommand, String compiler) {
    /** The crew protocol's member half ({@code jipc.bench.Crew}), included by every C peer: copied beside each. */
    static final String CREW_HEADER = "crew.h";
    /** Optimisation flags of every baseline. */
    public static final List<String> CFLAGS = List.of("-O2", "-Wall", "-Wextra");

    /** Programs this JVM has compiled, by name and extra files: a second suite copies the first one's executable. */
    private static final java.util.Map<List<String>, CProgram> COMPILED = new java.util.HashMap<>();

    /**
     * Copies {@code NAME.c}, {@value #CREW_HEADER} and the {@code extraFiles} (e.g. {@code jipc_channel.c},
     * {@code jipc_channel.h}: the repository's {@code native/} directory travels in the jar too) into
     * {@code directory} and compiles
     * {@code NAME.c} with the extra {@code .c} files there to {@code NAME}. gcc runs once per JVM (per run of
     * {@code jipc bench}) for a name and its extra files: the sources come from the jar and do not change, so a later
     * call copies the sources and the executable built by the first one (and reports its command line).
     *
     * @throws IOException naming gcc's exit status if gcc is missing or fails (its messages go to stderr)
     */
    public static synchronized CProgram compile(String name, Path directory, String... extraFiles)
            throws IOException, InterruptedException {
        List<String> key = new java.util.ArrayList<>(List.of(name));
        key.addAll(List.of(extraFiles));
        CProgram built = COMPILED.get(key);
        if (built != null && Files.isExecutable(built.executable())) {
            copy(name + ".c", directory);
            copy(CREW_HEADER, directory);
            for (String extra : extraFiles) {
                copy(extra, directory);
            }
            Path executable = directory.resolve(name);
            Files.copy(built.executable(), executable, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
            return new CProgram(executable, built.compileCommand(), built.compiler());
        }
        CProgram program = gcc(name, directory, extraFiles);
        COMPILED.put(key, program);
        return program;
    }

    private static CProgram gcc(String name, Path directory, String... extraFiles) throws IOException,
            InterruptedException {
        Path source = copy(name + ".c", directory);
        copy(CREW_HEADER, directory);
        Path executable = directory.resolve(name);
        List<String> command = new java.util.ArrayList<>(List.of("gcc"));
        command.addAll(CFLAGS);
        command.addAll(List.of("-o", executable.toString(), source.toString()));
        for (String extra : extraFiles) {
            Path copied = copy(extra, directory);
            if (extra.endsWith(".c")) {
                command.add(copied.toString());
            }
        }
        ExitStatus status;
        try (ChildProcess gcc = Spawn.command(command).nullFd(0).start()) {
            status = gcc.waitFor();
        }
        if (!status.success()) {
            throw new IOException(String.join(" ", command) + " failed: " + status);
        }
        return new CProgram(executable, List.copyOf(command), firstLine("gcc", "--version"));
    }

    /** Copies the resource {@code jipc/bench/c/FILE} into {@code directory}. */
    private static Path copy(String file, Path directory) throws IOException {
        Path target = directory.resolve(file);
        try (InputStream in = CProgram.class.getResourceAsStream("c/" + file)) {
            if (in == null) {
                throw new IOException("C source " + file + " is not in the jar (expected jipc/bench/c/" + file + ")");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** The first line a command prints on stdout (for version strings). */
    private static String firstLine(String... command) throws IOException, InterruptedException {
        byte[] output;
        try (Pipe pipe = Pipe.open(); ChildProcess child = Spawn.command(command).nullFd(0).fd(1, pipe.sink())
                .start()) {
            output = pipe.source().readAllBytes();
            child.waitFor();
        }
        String text = new String(output, StandardCharsets.UTF_8).strip();
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
