package org.layerwise.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A headline figure an analyzer declares on its scalars output ({@code <headline>} in
 * plugin.xml): which scalar, its label, how it is printed, which way is better, its interval
 * scalars and companion details. The batch summary, the workbench and the reports print every
 * headline through {@link #figure} and {@link #figures}, so they print it alike.
 *
 * @param scalar       the scalar's name in the analyzer's scalars
 * @param label        what the figure is called ("accuracy (soft nearest neighbour)")
 * @param format       {@code percent}, {@code integer} or one printf conversion such as {@code %.4g}
 * @param unit         printed after the value ("" for none)
 * @param better       which way is better
 * @param intervalLow  the scalar holding the interval's low end, or null
 * @param intervalHigh the scalar holding its high end, or null
 * @param order        where the figure stands among all headlines of a run (lower first)
 * @param promote      a top-level key of metrics.json the value is also written to, or null
 * @param sameAs       a run metric this figure measures again (metrics.json key), or null:
 *                     presentations show its interval in that metric's line instead of a line of its own
 * @param note         a fixed remark ("" for none)
 * @param details      companion scalars printed beside it
 */
public record Headline(String scalar, String label, String format, String unit, Better better, String intervalLow,
        String intervalHigh, int order, String promote, String sameAs, String note, List<Detail> details) {

    public static final String DEFAULT_FORMAT = "%.4g";
    public static final int DEFAULT_ORDER = 100;

    /** The keys the runner itself writes at the top of metrics.json: a headline may be the same as one, never promoted over one. */
    public static final Set<String> RUN_METRICS = Set.of("steps", "final_train_loss", "final_train_accuracy", "eval_prompts",
            "accuracy", "chance", "majority_rate", "eval_loss", "zero_predictor_loss", "train_accuracy", "train_loss",
            "train_examples", "test_examples", "analyzers");

    private static final Pattern PRINTF = Pattern.compile("[^%]*%[-#+ 0,(]*[0-9]*(\\.[0-9]+)?[efgEG][^%]*");

    /** Which way of the figure is better. */
    public enum Better {
        HIGHER, LOWER, NONE;

        /** "higher is better", "lower is better" or "". */
        public String words() {
            return this == NONE ? "" : name().toLowerCase(Locale.ROOT) + " is better";
        }
    }

    /** A companion scalar printed beside the headline ("Q 0.012"); format null: the headline's. */
    public record Detail(String scalar, String label, String format) {
    }

    public Headline {
        label = label == null || label.isBlank() ? scalar : label;
        format = format == null || format.isBlank() ? DEFAULT_FORMAT : format;
        unit = unit == null ? "" : unit;
        better = better == null ? Better.NONE : better;
        note = note == null ? "" : note;
        details = details == null ? List.of() : List.copyOf(details);
    }

    /** A headline with the defaults: printed {@value #DEFAULT_FORMAT}, no interval, details or note. */
    public static Headline of(String scalar, String label) {
        return new Headline(scalar, label, null, null, null, null, null, DEFAULT_ORDER, null, null, null, null);
    }

    /** Why a format cannot print numbers, or null when it can. */
    public static String formatProblem(String format) {
        if (format.equals("percent") || format.equals("integer")) {
            return null;
        }
        if (!PRINTF.matcher(format).matches()) {
            return "is not percent, integer or one printf conversion of a number such as %.4g";
        }
        try {
            String.format(Locale.ROOT, format, 1.0);
            return null;
        } catch (java.util.IllegalFormatException e) {
            return "cannot print a number: " + e.getMessage();
        }
    }

    /** The number as this headline prints it, without unit; "n/a" for NaN. */
    public String format(double v) {
        return format(format, v);
    }

    /** The number in a headline format ({@code percent}, {@code integer} or a printf conversion); "n/a" for NaN. */
    public static String format(String format, double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return switch (format) {
            case "percent" -> String.format(Locale.ROOT, "%.1f%%", 100 * v);
            case "integer" -> Double.isInfinite(v) ? Double.toString(v) : Long.toString(Math.round(v));
            default -> String.format(Locale.ROOT, format, v);
        };
    }

    /** The value with its unit ("92.3% agreement"); "n/a" alone for NaN. */
    public String value(double v) {
        String s = format(v);
        if (unit.isEmpty() || Double.isNaN(v)) {
            return s;
        }
        return s + (unit.startsWith("%") ? "" : " ") + unit;
    }

    /** "[low, high]" from the interval scalars; "" when it declares none or the scalars lack one. */
    public String interval(Map<String, Double> scalars) {
        Double low = intervalLow == null ? null : scalars.get(intervalLow);
        Double high = intervalHigh == null ? null : scalars.get(intervalHigh);
        return low == null || high == null ? "" : "[" + format(low) + ", " + format(high) + "]";
    }

    /** One of its details' value as printed (its own format, else the headline's), or null when the scalars lack it. */
    public String detail(Detail d, Map<String, Double> scalars) {
        Double x = scalars.get(d.scalar());
        return x == null ? null : format(d.format() == null ? format : d.format(), x);
    }

    /** The figure from an analyzer's scalars, or null when they do not hold this headline's scalar. */
    public Figure figure(String analyzer, Map<String, Double> scalars) {
        Double v = scalars.get(scalar);
        if (v == null) {
            return null;
        }
        List<String> shown = new ArrayList<>();
        for (Detail d : details) {
            String x = detail(d, scalars);
            if (x != null) {
                shown.add(d.label() + " " + x);
            }
        }
        return new Figure(analyzer, this, v, value(v), interval(scalars), shown);
    }

    /**
     * Every headline figure of the given analyzers (in the order they ran) that their scalars
     * hold: by declared order, then the analyzers' order, then the order of declaration.
     */
    public static List<Figure> figures(List<ContributionDescriptor> analyzers, Function<String, Map<String, Double>> scalars) {
        List<Figure> out = new ArrayList<>();
        for (ContributionDescriptor d : analyzers) {
            Map<String, Double> s = scalars.apply(d.id());
            if (s == null || s.isEmpty()) {
                continue;
            }
            for (Headline h : d.headlines()) {
                Figure f = h.figure(d.id(), s);
                if (f != null) {
                    out.add(f);
                }
            }
        }
        out.sort((a, b) -> Integer.compare(a.headline().order(), b.headline().order()));
        return out;
    }

    /**
     * One headline figure of one run, printed.
     *
     * @param analyzer the id of the analyzer that wrote it
     * @param number   the scalar's value
     * @param value    the value as printed, with its unit
     * @param interval "[low, high]" or ""
     * @param details  each detail as "label value"
     */
    public record Figure(String analyzer, Headline headline, double number, String value, String interval, List<String> details) {

        public String label() {
            return headline.label();
        }

        /** The details, the declared note and which way is better: "Q 0.01, V 0.02; lower is better". */
        public String note() {
            List<String> parts = new ArrayList<>();
            if (!details.isEmpty()) {
                parts.add(String.join(", ", details));
            }
            for (String s : List.of(headline.note(), headline.better().words())) {
                if (!s.isEmpty()) {
                    parts.add(s);
                }
            }
            return String.join("; ", parts);
        }

        /** "label value [interval] (details)", as a line of a summary. */
        public String line() {
            return label() + " " + value + (interval.isEmpty() ? "" : " " + interval)
                    + (details.isEmpty() ? "" : " (" + String.join(", ", details) + ")");
        }
    }
}
