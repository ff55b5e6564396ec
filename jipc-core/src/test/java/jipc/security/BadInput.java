package jipc.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jipc.ErrnoException;

/**
 * The table rows of the bad-input tests: a call with one bad argument, the exception it must throw and the words
 * its message must contain. A {@link NullPointerException} must carry exactly the parameter's name (as
 * {@code Objects.requireNonNull(x, "x")} gives), not the JVM's generic helpful message; an {@link ErrnoException}
 * must be for the expected errno. A row without words checks only the type (as for
 * {@link java.nio.channels.ClosedChannelException}, whose type is its message).
 */
final class BadInput {
    private BadInput() {
    }

    /** One call on a fixture. */
    @FunctionalInterface
    interface Call<F> {
        void call(F fixture) throws Throwable;
    }

    /** A row: shown by its name in the test report. */
    record Case<F>(String name, Class<? extends Throwable> type, String words, Call<F> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static <F> Case<F> nullArgument(String name, String parameter, Call<F> call) {
        return new Case<>(name, NullPointerException.class, parameter, call);
    }

    static <F> Case<F> illegal(String name, String words, Call<F> call) {
        return new Case<>(name, IllegalArgumentException.class, words, call);
    }

    static <F> Case<F> outOfRange(String name, String words, Call<F> call) {
        return new Case<>(name, IndexOutOfBoundsException.class, words, call);
    }

    static <F> Case<F> illegalState(String name, String words, Call<F> call) {
        return new Case<>(name, IllegalStateException.class, words, call);
    }

    static <F> Case<F> errno(String name, String errnoName, Call<F> call) {
        return new Case<>(name, ErrnoException.class, errnoName, call);
    }

    static <F> Case<F> of(String name, Class<? extends Throwable> type, String words, Call<F> call) {
        return new Case<>(name, type, words, call);
    }

    /** Runs the row's call and checks what it threw. */
    static <F> void check(Case<F> row, F fixture) {
        Throwable thrown = assertThrows(row.type(), () -> row.call().call(fixture), row.name());
        String message = thrown.getMessage();
        if (row.type() == NullPointerException.class) {
            assertTrue(message != null && (message.equals(row.words()) || message.startsWith(row.words() + " ")),
                    row.name() + ": the NullPointerException must name the parameter \"" + row.words()
                            + "\", not say \"" + message + "\"");
        } else if (thrown instanceof ErrnoException e && row.words().matches("E[A-Z0-9]+")) {
            assertEquals(row.words(), e.errnoName(), row.name() + ": " + message);
        } else if (row.words() != null) {
            assertNotNull(message, row.name() + ": " + thrown + " has no message");
            assertTrue(message.contains(row.words()), row.name() + ": \"" + message + "\" does not say \""
                    + row.words() + "\"");
        }
    }
}
