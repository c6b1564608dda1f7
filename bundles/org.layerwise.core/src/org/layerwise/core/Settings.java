package org.layerwise.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolved, validated settings of one stage: every declared setting has a typed value
 * (defaults filled in). Contributions read them through the typed getters.
 */
public final class Settings {

    private final Map<String, Object> values;

    private Settings(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Validates raw values against the declarations, filling in defaults. Unknown keys are
     * rejected: a typo must not silently fall back to a default.
     */
    public static Settings resolve(List<SettingSpec> specs, Map<String, String> raw) throws InvalidSettingException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : raw.keySet()) {
            if (specs.stream().noneMatch(s -> s.name().equals(key))) {
                throw new InvalidSettingException(key, "unknown setting '" + key + "'; known settings: "
                        + String.join(", ", specs.stream().map(SettingSpec::name).toList()));
            }
        }
        for (SettingSpec spec : specs) {
            String v = raw.containsKey(spec.name()) ? raw.get(spec.name()) : spec.defaultValue();
            out.put(spec.name(), spec.parse(v));
        }
        return new Settings(out);
    }

    /** Settings from already-typed values, for tests and programmatic use. */
    public static Settings of(Map<String, Object> typed) {
        return new Settings(new LinkedHashMap<>(typed));
    }

    public int integer(String name) {
        return Math.toIntExact((Long) get(name));
    }

    public long longValue(String name) {
        return (Long) get(name);
    }

    public double real(String name) {
        return ((Number) get(name)).doubleValue();
    }

    public boolean bool(String name) {
        return (Boolean) get(name);
    }

    public String text(String name) {
        return (String) get(name);
    }

    public Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no setting '" + name + "' (declared: " + values.keySet() + ")");
        }
        return v;
    }

    /** Every setting with its typed value, in declaration order. */
    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
