package jipc.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM running a test main class, for programs other than jipc that start Java
 * themselves (the C parent of {@code exec_java_with_pipe.c}). Same flags as {@code Spawn.java}, plus
 * {@code --illegal-native-access=deny} so that a missing grant fails loudly in the child too.
 */
public final class JavaCommand {
    private JavaCommand() {
    }

    public static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    public static List<String> argv(Class<?> mainClass, String... args) {
        return argv(System.getProperty("java.class.path"), mainClass, args);
    }

    /** As {@link #argv(Class, String...)} with another class path (a copy that another user can read). */
    public static List<String> argv(String classPath, Class<?> mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java().toString(), "-cp", classPath,
                "--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", mainClass.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
