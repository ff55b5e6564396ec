package jipc.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for option values; a bad value becomes a usage error that names the option and what was expected. */
public final class Converters {
    private Converters() {
    }

    /** Permission bits in octal: {@code 0600}, {@code 600} or {@code 0o600}; at most {@code 0777}. */
    public static final class OctalMode implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String digits = value.startsWith("0o") || value.startsWith("0O") ? value.substring(2) : value;
            if (!digits.matches("[0-7]{1,4}")) {
                throw new TypeConversionException("'" + value + "' is not an octal mode such as 0600");
            }
            int mode = Integer.parseInt(digits, 8);
            if (mode > 0777) {
                throw new TypeConversionException("'" + value + "' has bits outside 0777 (no setuid, setgid or sticky)");
            }
            return mode;
        }
    }

    /** A positive number of bytes: {@code 65536}, {@code 64K}, {@code 64KiB}, {@code 1M} (K = 1024). */
    public static final class ByteSize implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) bytes(value, 1, Integer.MAX_VALUE);
        }
    }

    /** As {@link ByteSize}, up to {@link Long#MAX_VALUE} and with {@code T} (for shared memory sizes). */
    public static final class LongByteSize implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return bytes(value, 1, Long.MAX_VALUE);
        }
    }

    /** A byte offset or count that may be 0: {@code 0}, {@code 100}, {@code 4K}. */
    public static final class ByteOffset implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return bytes(value, 0, Long.MAX_VALUE);
        }
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(?:([KMGT])(?:I?B)?|B)?");

    /** Parses {@code value} as bytes with an optional K/M/G/T suffix (powers of 1024) within {@code min..max}. */
    private static long bytes(String value, long min, long max) {
        Matcher m = SIZE.matcher(value.trim().toUpperCase(Locale.ROOT));
        if (value.trim().startsWith("-")) {
            throw new TypeConversionException("'" + value + "' is negative: expected a size such as 65536, 64K or 1M");
        }
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size such as 65536, 64K or 1M");
        }
        long shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 40;
        };
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (ArithmeticException | NumberFormatException e) {
            throw tooLarge(value, max); // more than a long holds
        }
        if (bytes < min) {
            throw new TypeConversionException("'" + value + "' is too small: at least " + min + " byte"
                    + (min == 1 ? "" : "s"));
        }
        if (bytes > max) {
            throw tooLarge(value, max);
        }
        return bytes;
    }

    private static TypeConversionException tooLarge(String value, long max) {
        return new TypeConversionException("'" + value + "' is too large: at most " + max + " bytes");
    }

    /** A non-negative duration: {@code 500ms}, {@code 10s}, {@code 2m}, a plain number of seconds, or ISO {@code PT5S}. */
    public static final class Timeout implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = SIMPLE.matcher(v);
            try {
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    String unit = m.group(2) == null ? "s" : m.group(2);
                    return switch (unit) {
                        case "ms" -> Duration.ofMillis(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofSeconds(n);
                    };
                }
                Duration d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
                // fall through to the common message
            }
            throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 10s or 2m");
        }
    }
}
