package jipc.cli.sem;

import jipc.sync.NamedSemaphore;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a semaphore NAME: {@code /name}, or {@code name} to which the leading '/' is added. */
final class SemName implements ITypeConverter<String> {
    static final String SYNTAX = "/name of the semaphore (a missing leading / is added)";

    @Override
    public String convert(String value) {
        String name = value.startsWith("/") ? value : "/" + value;
        try {
            NamedSemaphore.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
        return name;
    }
}
