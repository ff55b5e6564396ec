package jipc.cli.channel;

/**
 * How {@code jipc channel send} and {@code recv} (and {@code jipc topic pub} and {@code sub}) use message types, so
 * that a shell pipeline knows where a stream ends: every line is one message of type {@link #LINE} (without its
 * newline), and the sender finishes with one empty message of type {@link #END}. A program in another language joins
 * by using the same two numbers.
 */
public final class LineProtocol {
    private LineProtocol() {
    }

    /** A line of text, UTF-8, without the newline. */
    public static final int LINE = 1;
    /** The sender is done: the receiver stops after this message. */
    public static final int END = 2;
}
