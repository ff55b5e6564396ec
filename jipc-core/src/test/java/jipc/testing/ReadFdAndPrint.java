package jipc.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jipc.io.ReadEnd;

/**
 * Child JVM main: takes the read end a parent placed at the fd given as the only argument, reads it to EOF and
 * prints {@code Child received: <text>}. Exit code 0.
 */
public final class ReadFdAndPrint {
    private ReadFdAndPrint() {
    }

    public static void main(String[] args) throws IOException {
        int number = Integer.parseInt(args[0]);
        try (ReadEnd in = ReadEnd.inherit(number)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            System.out.println("Child (Java, pid " + ProcessHandle.current().pid() + ") read fd " + number
                    + " to EOF");
            System.out.println("Child received: " + text);
        }
    }
}
