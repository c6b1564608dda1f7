package org.layerwise.sweep.aggregate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.layerwise.io.Json;
import org.layerwise.runner.RunDirectory;

/**
 * A sweep directory read as one tidy table (docs/design/sweeps.md): the axes, seeds and chosen
 * metrics of sweep.json, and one {@link Row} per point with its status and every scalar its run
 * directory's metrics.json holds. The status comes from the run directory itself, not from
 * sweep.json, which may be older.
 */
public final class SweepTable {

    /** Status of a point whose run directory (or its run.json) does not exist yet. */
    public static final String PENDING = "PENDING";
    /** Status of a point whose run.json or metrics.json cannot be read. */
    public static final String UNREADABLE = "UNREADABLE";

    static final String FORMAT = "layerwise-sweep";
    static final int VERSION = 1;

    /** One swept setting and its values, in the order the sweep lists them. */
    public record Axis(String setting, List<String> values) {

        public Axis {
            values = List.copyOf(values);
        }

        /** True when every value reads as a number (then figures put it on a numeric x axis). */
        public boolean numeric() {
            return values.stream().allMatch(v -> !Double.isNaN(number(v)));
        }

        /** True when the values are positive numbers spanning a factor of 100 or more: figures draw them on a log scale. */
        public boolean logScale() {
            if (!numeric()) {
                return false;
            }
            double min = values.stream().mapToDouble(Axis::number).min().orElse(0);
            double max = values.stream().mapToDouble(Axis::number).max().orElse(0);
            return min > 0 && max / min >= 100;
        }

        /** The value as a number, NaN when it is not one (an enforcer id). */
        public static double number(String value) {
            try {
                return Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
    }

    /**
     * One point of the sweep: its id, master seed, status, run directory (absolute), the value of
     * every axis, and every value column ({@link SweepTable#valueColumns()}; NaN where the run has
     * none).
     */
    public record Row(String point, long seed, String status, Path run, Map<String, String> coordinates,
            Map<String, Double> values) {

        public Row {
            coordinates = Collections.unmodifiableMap(new LinkedHashMap<>(coordinates));
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        public boolean ok() {
            return "OK".equals(status);
        }

        /** A value column of this row, NaN when absent. */
        public double value(String column) {
            Double v = values.get(column);
            return v == null ? Double.NaN : v;
        }
    }

    private final Path directory;
    private final String name;
    private final List<Axis> axes;
    private final List<Long> seeds;
    private final List<String> metrics;
    private final Map<String, Object> versions;
    private final List<Row> rows;
    private final List<String> valueColumns;

    private SweepTable(Path directory, String name, List<Axis> axes, List<Long> seeds, List<String> metrics,
            Map<String, Object> versions, List<Row> rows, List<String> valueColumns) {
        this.directory = directory;
        this.name = name;
        this.axes = List.copyOf(axes);
        this.seeds = List.copyOf(seeds);
        this.metrics = List.copyOf(metrics);
        this.versions = Collections.unmodifiableMap(versions);
        this.rows = List.copyOf(rows);
        this.valueColumns = List.copyOf(valueColumns);
    }

    /**
     * Reads DIR/sweep.json and every point's run directory.
     *
     * @throws SweepFormatException when sweep.json is missing, not JSON, of another format or
     *         version, or a field has the wrong shape (the message names the file and field)
     */
    public static SweepTable read(Path sweepDir) throws IOException {
        Path dir = sweepDir.toAbsolutePath().normalize();
        Path file = dir.resolve("sweep.json");
        JsonNode root;
        try {
            root = Json.read(file);
        } catch (NoSuchFileException e) {
            throw new SweepFormatException(file, null, "no such file (is " + dir + " a sweep directory?)", e);
        } catch (IOException e) {
            if (Files.isRegularFile(file)) {
                throw new SweepFormatException(file, null, "not JSON: " + e.getMessage(), e);
            }
            throw e;
        }
        Fields f = new Fields(file);
        if (!root.isObject()) {
            throw new SweepFormatException(file, null, "expected a JSON object", null);
        }
        String format = f.text(root, "format");
        if (!FORMAT.equals(format)) {
            throw new SweepFormatException(file, "format", "is '" + format + "', expected '" + FORMAT + "'", null);
        }
        JsonNode version = f.required(root, "version");
        if (!version.canConvertToExactIntegral() || version.asInt() != VERSION) {
            throw new SweepFormatException(file, "version", "is " + version + ", this Layerwise reads version "
                    + VERSION, null);
        }
        String name = f.text(root, "name");
        List<Axis> axes = new ArrayList<>();
        for (Element e : f.objects(root, "axes")) {
            JsonNode a = e.node();
            String at = e.field();
            String setting = f.text(a, "setting", at + ".setting");
            if (axes.stream().anyMatch(x -> x.setting().equals(setting))) {
                throw new SweepFormatException(file, at + ".setting", "'" + setting + "' is swept twice", null);
            }
            axes.add(new Axis(setting, f.strings(f.array(a, "values", at + ".values"), at + ".values")));
        }
        List<Long> seeds = new ArrayList<>();
        JsonNode seedsNode = f.array(root, "seeds");
        for (int i = 0; i < seedsNode.size(); i++) {
            seeds.add(f.integral(seedsNode.get(i), "seeds[" + i + "]"));
        }
        List<String> metrics = f.strings(f.array(root, "metrics"), "metrics");
        Map<String, Object> versions = new LinkedHashMap<>();
        if (root.get("versions") instanceof JsonNode v && v.isObject()) {
            v.properties().forEach(e -> versions.put(e.getKey(), e.getValue().isValueNode()
                    ? e.getValue().asText() : e.getValue().toString()));
        }

        List<Point> points = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (Element e : f.objects(root, "points")) {
            JsonNode p = e.node();
            String at = e.field();
            String id = f.text(p, "id", at + ".id");
            if (!ids.add(id)) {
                throw new SweepFormatException(file, at + ".id", "'" + id + "' names two points", null);
            }
            JsonNode c = f.required(p, "coordinates", at + ".coordinates");
            f.object(c, at + ".coordinates");
            Map<String, String> coordinates = new LinkedHashMap<>();
            for (Axis axis : axes) {
                JsonNode v = c.get(axis.setting());
                String field = at + ".coordinates." + axis.setting();
                if (v == null || !v.isValueNode() || v.isNull()) {
                    throw new SweepFormatException(file, field, "missing: every point has a value for every axis", null);
                }
                coordinates.put(axis.setting(), v.asText());
            }
            long seed = f.integral(f.required(p, "seed", at + ".seed"), at + ".seed");
            String run = f.text(p, "run", at + ".run");
            points.add(new Point(id, seed, dir.resolve(run).normalize(), coordinates));
        }
        return build(dir, name, axes, seeds, metrics, versions, points);
    }

    private record Point(String id, long seed, Path run, Map<String, String> coordinates) {
    }

    /** What one run directory holds: its status and the numbers of its metrics.json by column. */
    private record RunState(String status, Map<String, Double> values, Set<String> analyzerKeys) {
    }

    private static SweepTable build(Path dir, String name, List<Axis> axes, List<Long> seeds, List<String> metrics,
            Map<String, Object> versions, List<Point> points) {
        List<RunState> states = new ArrayList<>();
        Set<String> runnerKeys = new LinkedHashSet<>();
        Set<String> analyzerKeys = new LinkedHashSet<>();
        for (Point p : points) {
            RunState s = state(p.run());
            states.add(s);
            s.values().keySet().forEach(k -> (s.analyzerKeys().contains(k) ? analyzerKeys : runnerKeys).add(k));
        }
        List<String> columns = new ArrayList<>(runnerKeys);
        columns.addAll(analyzerKeys);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            RunState s = states.get(i);
            Map<String, Double> values = new LinkedHashMap<>();
            columns.forEach(c -> values.put(c, s.values().getOrDefault(c, Double.NaN)));
            rows.add(new Row(p.id(), p.seed(), s.status(), p.run(), p.coordinates(), values));
        }
        return new SweepTable(dir, name, axes, seeds, metrics, versions, rows, columns);
    }

    private static RunState state(Path run) {
        if (!RunDirectory.isRun(run)) {
            return new RunState(PENDING, Map.of(), Set.of());
        }
        RunDirectory r;
        try {
            r = RunDirectory.open(run);
            r.status(); // an unknown status word is unreadable too
        } catch (IOException | IllegalArgumentException e) {
            return new RunState(UNREADABLE, Map.of(), Set.of());
        }
        Map<String, Double> values = new LinkedHashMap<>();
        Set<String> analyzerKeys = new LinkedHashSet<>();
        r.metrics().forEach((k, v) -> {
            if ("analyzers".equals(k) && v instanceof Map<?, ?> all) {
                all.forEach((analyzer, scalars) -> {
                    if (scalars instanceof Map<?, ?> m) {
                        m.forEach((key, x) -> {
                            if (x == null || x instanceof Number) {
                                String column = analyzer + "." + key;
                                analyzerKeys.add(column);
                                values.putIfAbsent(column, number(x));
                            }
                        });
                    }
                });
            } else if (v == null || v instanceof Number) { // null: a NaN as Json writes it
                values.put(k, number(v));
            }
        });
        return new RunState(r.status().name(), values, analyzerKeys);
    }

    private static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** The sweep directory (absolute). */
    public Path directory() {
        return directory;
    }

    public String name() {
        return name;
    }

    public List<Axis> axes() {
        return axes;
    }

    /**
     * The axes figures are drawn against and whose values make lines or panels: those with two
     * values or more (an axis of one value is a constant); all of them when none varies.
     */
    public List<Axis> variedAxes() {
        List<Axis> varied = axes.stream().filter(a -> a.values().size() > 1).toList();
        return varied.isEmpty() ? axes : varied;
    }

    /** The axis of this setting, or null. */
    public Axis axis(String setting) {
        return axes.stream().filter(a -> a.setting().equals(setting)).findFirst().orElse(null);
    }

    /** The sweep's master seeds as sweep.json lists them (empty: every point runs the pipeline's seed). */
    public List<Long> seeds() {
        return seeds;
    }

    /** The metrics the sweep chose for its report, in order. */
    public List<String> metrics() {
        return metrics;
    }

    /** sweep.json's {@code versions} (Layerwise, Java), as text. */
    public Map<String, Object> versions() {
        return versions;
    }

    /** One row per point, in sweep.json's order. */
    public List<Row> rows() {
        return rows;
    }

    /**
     * Every value column: the runner's numeric top-level keys of metrics.json, then every
     * analyzer scalar as {@code ANALYZER.SCALAR}, each in the order the points first show it.
     */
    public List<String> valueColumns() {
        return valueColumns;
    }

    /** How many points have each status, in the order the statuses first occur. */
    public Map<String, Integer> statusCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        rows.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
        return counts;
    }

    /** An object in a list of sweep.json and the field that names it ({@code points[3]}). */
    private record Element(String field, JsonNode node) {
    }

    /** Field access that names the field of sweep.json it finds wrong. */
    private record Fields(Path file) {

        /** The elements of the list under key, each of which must be an object. */
        List<Element> objects(JsonNode node, String key) throws SweepFormatException {
            JsonNode list = array(node, key);
            List<Element> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String field = key + "[" + i + "]";
                object(list.get(i), field);
                out.add(new Element(field, list.get(i)));
            }
            return out;
        }

        JsonNode required(JsonNode node, String key) throws SweepFormatException {
            return required(node, key, key);
        }

        JsonNode required(JsonNode node, String key, String field) throws SweepFormatException {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                throw new SweepFormatException(file, field, "missing", null);
            }
            return v;
        }

        String text(JsonNode node, String key) throws SweepFormatException {
            return text(node, key, key);
        }

        String text(JsonNode node, String key, String field) throws SweepFormatException {
            JsonNode v = required(node, key, field);
            if (!v.isTextual()) {
                throw new SweepFormatException(file, field, "must be a string, found " + v, null);
            }
            return v.asText();
        }

        JsonNode array(JsonNode node, String key) throws SweepFormatException {
            return array(node, key, key);
        }

        JsonNode array(JsonNode node, String key, String field) throws SweepFormatException {
            JsonNode v = required(node, key, field);
            if (!v.isArray()) {
                throw new SweepFormatException(file, field, "must be a list", null);
            }
            return v;
        }

        void object(JsonNode node, String field) throws SweepFormatException {
            if (!node.isObject()) {
                throw new SweepFormatException(file, field, "must be an object", null);
            }
        }

        long integral(JsonNode node, String field) throws SweepFormatException {
            if (!node.canConvertToExactIntegral() || !node.canConvertToLong()) {
                throw new SweepFormatException(file, field, "must be an integer, found " + node, null);
            }
            return node.asLong();
        }

        List<String> strings(JsonNode array, String field) throws SweepFormatException {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                JsonNode v = array.get(i);
                if (!v.isTextual()) {
                    throw new SweepFormatException(file, field + "[" + i + "]", "must be a string, found " + v, null);
                }
                out.add(v.asText());
            }
            return out;
        }
    }
}
