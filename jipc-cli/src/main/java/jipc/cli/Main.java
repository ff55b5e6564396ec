package jipc.cli;

import picocli.CommandLine;

/** The entry point of the {@code jipc} command: parses the arguments, runs one command, exits with its code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(ExitCodes.install(new CommandLine(new JipcCommand())).execute(args));
    }
}
