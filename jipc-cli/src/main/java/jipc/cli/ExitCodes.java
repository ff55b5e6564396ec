package jipc.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;

import jipc.ErrnoException;
import jipc.channel.ChannelFormatException;
import jipc.fifo.NoReaderException;
import jipc.fifo.NotAFifoException;
import jipc.topic.TopicFormatException;
import jipc.topic.TopicFullException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place where failures become exit codes (in the style of {@code sysexits.h}) and messages.
 *
 * <p>A user's mistake (a bad option, a path that does not exist, no reader on a FIFO) prints one line naming the
 * command and the cause, plus a hint where to find help, and never a stack trace. Only an internal error (a bug:
 * an exception nobody expected) prints its stack trace, because that is what a bug report needs.
 */
public final class ExitCodes implements IExitCodeExceptionMapper, IExecutionExceptionHandler,
        IParameterExceptionHandler {

    /** Success. */
    public static final int OK = 0;
    /** The answer to a question is "no" (as with {@code test}): {@code jipc pipe stat} on something not a pipe. */
    public static final int NO = 1;
    /** EX_USAGE: bad command line, bad value. */
    public static final int USAGE = 64;
    /**
     * EX_NOINPUT: the named file or descriptor does not exist or is not what the command needs (ENOENT, EBADF, not a
     * FIFO, shared memory that holds no channel or no topic).
     */
    public static final int NO_INPUT = 66;
    /** EX_UNAVAILABLE: the other side is not there, e.g. no process has the FIFO open for reading (ENXIO). */
    public static final int UNAVAILABLE = 69;
    /** EX_SOFTWARE: an internal error, a demo whose child process failed, or a {@code jipc bench} step that failed. */
    public static final int SOFTWARE = 70;
    /** EX_CANTCREAT: the object to create exists already (EEXIST). */
    public static final int CANNOT_CREATE = 73;
    /**
     * EX_IOERR: any other failed system call (EPIPE, EBUSY, EMFILE...), and what is alike to EBUSY: a channel's or
     * topic's exclusive role held by a live process, all 64 subscriber slots of a topic held by live subscribers.
     */
    public static final int IO_ERROR = 74;
    /** EX_TEMPFAIL: a wait with a timeout ran out ({@code jipc sem wait --timeout}); trying again may succeed. */
    public static final int TIMED_OUT = 75;
    /** EX_NOPERM: not allowed (EACCES, EPERM). */
    public static final int NO_PERMISSION = 77;
    /** As in shells: the program to run was found but could not be executed. */
    public static final int CANNOT_EXECUTE = 126;
    /** As in shells: the program to run was not found. */
    public static final int COMMAND_NOT_FOUND = 127;
    /** As in shells: a child killed by signal {@code n} is reported as {@code 128 + n}. */
    public static final int SIGNAL_BASE = 128;
    /**
     * Standard output's reader went away ({@code | head}): the command stops quietly with what a shell reports for a
     * program SIGPIPE killed (the JVM ignores SIGPIPE, so jipc sees EPIPE instead).
     */
    public static final int READER_GONE = SIGNAL_BASE + 13;

    private ExitCodes() {
    }

    /** Wires the mapping and the two handlers into {@code commandLine} and its subcommands; returns it. */
    public static CommandLine install(CommandLine commandLine) {
        ExitCodes codes = new ExitCodes();
        Map<String, String> table = new LinkedHashMap<>();
        table.put(String.valueOf(OK), "success");
        table.put(String.valueOf(NO), "the answer is no (pipe stat: not a pipe)");
        table.put(String.valueOf(USAGE), "usage error: bad command, option or value");
        table.put(String.valueOf(NO_INPUT), "no such file, descriptor, shared memory object or semaphore, or not a FIFO "
                + "or not a channel, topic or rpc object (ENOENT, EBADF)");
        table.put(String.valueOf(UNAVAILABLE), "the other side is not there (ENXIO: a FIFO without a reader; rpc call: "
                + "no live service)");
        table.put(String.valueOf(SOFTWARE), "internal error, a demo's child process failed, or a bench step failed");
        table.put(String.valueOf(CANNOT_CREATE), "already exists (EEXIST)");
        table.put(String.valueOf(IO_ERROR), "other failed system call (EPIPE, EBUSY, ...); a channel's, topic's or rpc "
                + "service's role held by a live process, or all 64 subscriber slots of a topic");
        table.put(String.valueOf(TIMED_OUT), "timed out (sem wait --timeout, rpc call --timeout)");
        table.put(String.valueOf(NO_PERMISSION), "permission denied (EACCES, EPERM)");
        table.put(String.valueOf(READER_GONE), "shm read/dump: the reader of standard output went away (as SIGPIPE)");
        table.put("other", "pipe to: the exit code of the command (126/127: cannot run it or not found, 128+n: "
                + "killed by signal n)");
        commandLine.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(table);
        return commandLine
                .setExitCodeExceptionMapper(codes)
                .setExecutionExceptionHandler(codes)
                .setParameterExceptionHandler(codes);
    }

    @Override
    public int getExitCode(Throwable failure) {
        return switch (failure) {
            case Failure f -> f.exitCode();
            case ParameterException _, IllegalArgumentException _ -> USAGE;
            case NoReaderException _ -> UNAVAILABLE;
            case ErrnoException e -> ofErrno(e);
            case NotAFifoException _, NoSuchFileException _, ChannelFormatException _, TopicFormatException _ -> NO_INPUT;
            case jipc.live.RoleTakenException _, TopicFullException _ -> IO_ERROR; // as EBUSY: held by live parties
            case FileAlreadyExistsException _ -> CANNOT_CREATE;
            case AccessDeniedException _ -> NO_PERMISSION;
            case java.io.IOException _ -> IO_ERROR;
            default -> SOFTWARE;
        };
    }

    private static int ofErrno(ErrnoException e) {
        if (e.syscall().startsWith("posix_spawn")) {
            // What shells answer for a command they cannot run.
            if (e.is("ENOENT")) {
                return COMMAND_NOT_FOUND;
            }
            if (e.is("EACCES") || e.is("ENOEXEC")) {
                return CANNOT_EXECUTE;
            }
        }
        return switch (e.errnoName()) {
            case "ENOENT", "EBADF", "ENOTDIR" -> NO_INPUT;
            case "ENXIO" -> UNAVAILABLE;
            case "EEXIST" -> CANNOT_CREATE;
            case "EACCES", "EPERM" -> NO_PERMISSION;
            default -> IO_ERROR;
        };
    }

    /** A command failed while running: one line for anything expected, a stack trace for a bug. */
    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parsed) {
        int code = getExitCode(failure);
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        if (code == SOFTWARE && !(failure instanceof Failure)) {
            err.println(name + ": internal error (please report it with this trace): " + failure);
            failure.printStackTrace(err);
        } else {
            err.println(name + ": " + messageOf(failure));
            if (code == USAGE) {
                err.println(hint(command));
            }
        }
        err.flush();
        return code;
    }

    /** The command line could not be parsed: the message, a suggestion for a misspelling, and where help is. */
    @Override
    public int handleParseException(ParameterException failure, String[] args) {
        CommandLine command = failure.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + failure.getMessage());
        UnmatchedArgumentException.printSuggestions(failure, err);
        err.println(hint(command));
        err.flush();
        return USAGE;
    }

    private static String hint(CommandLine command) {
        return "Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.";
    }

    private static String messageOf(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }
}
