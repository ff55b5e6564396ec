package jipc.bench;

/** Number parsing shared by the harnesses' option parsers. */
final class Args {
    private Args() {
    }

    /**
     * {@code value} as a number in {@code [min, max]} (underscores allowed: {@code 1_000_000}).
     *
     * @throws IllegalArgumentException naming the option otherwise
     */
    static long number(String option, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number: " + value);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + "=" + n + " is outside " + min + ".." + max);
        }
        return n;
    }
}
