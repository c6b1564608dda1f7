package org.layerwise.core;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * Which steps of a training run keep a checkpoint of the model, from a setting's text:
 * {@code none}; {@code log:K}, K steps spaced evenly in log(step + 1) from 0 to the last step, both
 * included; {@code every:S}, every S steps from 0, the last step included. The steps are fixed
 * by the text and the number of steps alone, so the same pipeline keeps the same checkpoints.
 */
public final class SeriesSchedule {

    private final String text;
    private final int[] steps;

    private SeriesSchedule(String text, int[] steps) {
        this.text = text;
        this.steps = steps;
    }

    /**
     * Parses the setting for a run of {@code totalSteps} steps.
     *
     * @throws IllegalArgumentException with what was expected, for a malformed text
     */
    public static SeriesSchedule parse(String text, int totalSteps) {
        String t = text == null ? "" : text.strip();
        TreeSet<Integer> s = new TreeSet<>();
        if (t.isEmpty() || t.equals("none")) {
            return new SeriesSchedule("none", new int[0]);
        }
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon);
        String arg = colon < 0 ? "" : t.substring(colon + 1);
        if (!arg.matches("[0-9]{1,9}") || Integer.parseInt(arg) < 1) {
            throw new IllegalArgumentException("'" + text + "' is not a checkpoint schedule; expected none, log:K "
                    + "(K checkpoints evenly spaced in log-step, K >= 2) or every:S (every S steps, S >= 1)");
        }
        int n = Integer.parseInt(arg);
        switch (kind) {
            case "log" -> {
                if (n < 2) {
                    throw new IllegalArgumentException("'" + text + "': log:K needs K >= 2 (step 0 and the last step)");
                }
                double top = Math.log1p(totalSteps);
                for (int i = 0; i < n; i++) {
                    s.add((int) Math.min(totalSteps, Math.round(Math.expm1(top * i / (n - 1)))));
                }
            }
            case "every" -> {
                for (long k = 0; k <= totalSteps; k += n) {
                    s.add((int) k);
                }
                s.add(totalSteps);
            }
            default -> throw new IllegalArgumentException("'" + text + "' is not a checkpoint schedule; expected none, "
                    + "log:K or every:S");
        }
        return new SeriesSchedule(t, s.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The setting of a training backend that names the steps of its series. */
    public static final String SETTING = "checkpoints";

    /**
     * The schedule a backend's settings ask for, over its "steps" (settings built by hand may
     * leave it out: none).
     *
     * @throws IllegalArgumentException for a malformed value (configure turns it into the setting's error)
     */
    public static SeriesSchedule of(Settings settings) {
        return parse(settings.asMap().containsKey(SETTING) ? settings.text(SETTING) : "none", settings.integer("steps"));
    }

    /** True when the model after {@code completedSteps} steps is kept. */
    public boolean due(int completedSteps) {
        return Arrays.binarySearch(steps, completedSteps) >= 0;
    }

    /** The steps kept, increasing (step 0 is the initial model). */
    public int[] steps() {
        return steps.clone();
    }

    @Override
    public String toString() {
        return text;
    }
}
