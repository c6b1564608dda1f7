package org.layerwise.report.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.layerwise.io.Csv;
import org.layerwise.runner.RunDirectory;

/** The numbers a report needs, read from a run's tables exactly as the run wrote them. */
final class Measures {

    /** A mean with its bootstrap interval; NaN where the measure is undefined. */
    record Interval(double mean, double low, double high) {
        boolean defined() {
            return !Double.isNaN(mean);
        }
    }

    private Measures() {
    }

    /** Each row of name.csv that the reader turns into a value (null skips the row); empty when the run wrote no such table. */
    static <T> List<T> rows(RunDirectory run, String name, RowReader<T> reader) throws IOException {
        List<T> out = new ArrayList<>();
        Optional<Csv.Table> t = Optional.ofNullable(run.table(name));
        if (t.isPresent()) {
            for (int i = 0; i < t.get().size(); i++) {
                T v = reader.read(t.get(), i);
                if (v != null) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** Reads row i of a table. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(Csv.Table table, int i);
    }
}
