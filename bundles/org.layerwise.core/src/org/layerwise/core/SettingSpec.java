package org.layerwise.core;

import java.util.List;
import java.util.Locale;

/**
 * Declared metadata of one contribution setting (from the &lt;setting&gt; element of its
 * extension): validation, {@code layerwise list} and the editor form all derive from it.
 */
public record SettingSpec(String name, Type type, String defaultValue, Double min, Double max,
        List<String> choices, String description) {

    /**
     * The numbers a setting accepts: ASCII digits, optional sign, decimal point and exponent.
     * Java's parsers also take other scripts' digits, a trailing d or f, hexadecimal floats and
     * "Infinity"; a pipeline file means the same to every reader, so those are refused.
     */
    private static final java.util.regex.Pattern INTEGER = java.util.regex.Pattern.compile("[+-]?[0-9]+");
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    public enum Type {
        INTEGER, REAL, BOOLEAN, CHOICE, TEXT, PATH;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SettingSpec {
        choices = choices == null ? List.of() : List.copyOf(choices);
    }

    /** Parses and checks a raw value; returns Long, Double, Boolean or String. */
    public Object parse(String raw) throws InvalidSettingException {
        String v = raw == null ? "" : raw.trim();
        switch (type) {
            case INTEGER -> {
                long x;
                try {
                    if (!INTEGER.matcher(v).matches()) {
                        throw new NumberFormatException(v);
                    }
                    x = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException(name, "'" + raw + "' is not an integer; expected an integer in ASCII digits " + range());
                }
                checkRange(x, raw);
                return x;
            }
            case REAL -> {
                double x;
                try {
                    if (!DECIMAL.matcher(v).matches()) {
                        throw new NumberFormatException(v);
                    }
                    x = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException(name, "'" + raw + "' is not a number; expected a decimal number such as 0.01 or 1e-3 " + range());
                }
                if (!Double.isFinite(x)) {
                    throw new InvalidSettingException(name, "'" + raw + "' is not finite; expected a real number " + range());
                }
                checkRange(x, raw);
                return x;
            }
            case BOOLEAN -> {
                if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(v);
                }
                throw new InvalidSettingException(name, "'" + raw + "' is not a boolean; expected true or false");
            }
            case CHOICE -> {
                if (choices.contains(v)) {
                    return v;
                }
                throw new InvalidSettingException(name, "'" + raw + "' is not allowed; expected one of " + String.join(", ", choices));
            }
            default -> {
                return v;
            }
        }
    }

    private void checkRange(double x, String raw) throws InvalidSettingException {
        if ((min != null && x < min) || (max != null && x > max)) {
            throw new InvalidSettingException(name, raw.trim() + " is out of range; expected " + range());
        }
    }

    /** The allowed values in words, e.g. "in [1, 256]" or "one of both, features, labels". */
    public String range() {
        return switch (type) {
            case INTEGER, REAL -> {
                if (min == null && max == null) {
                    yield "(any value)";
                }
                yield "in [" + (min == null ? "-inf" : format(min)) + ", " + (max == null ? "inf" : format(max)) + "]";
            }
            case BOOLEAN -> "true or false";
            case CHOICE -> "one of " + String.join(", ", choices);
            case TEXT -> "text";
            case PATH -> "a path";
        };
    }

    private String format(double x) {
        return type == Type.INTEGER ? Long.toString((long) x) : (x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x));
    }
}
