package jipc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line about the machine a benchmark ran on: CPU model, CPUs this process may use, kernel, JDK. */
public final class Machine {
    private Machine() {
    }

    public static String describe() {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs usable, Linux "
                + System.getProperty("os.version") + ", JDK " + System.getProperty("java.vm.version");
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            // an unknown model is only a missing detail in the report
        }
        return "unknown CPU";
    }
}
