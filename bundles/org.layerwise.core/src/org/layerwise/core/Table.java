package org.layerwise.core;

import java.util.ArrayList;
import java.util.List;

/** A tidy table (one observation per row) an analyzer returns; written as NAME.csv. */
public record Table(List<String> columns, List<List<Object>> rows) {

    public Table {
        columns = List.copyOf(columns);
        rows = new ArrayList<>(rows);
    }

    public static Table of(String... columns) {
        return new Table(List.of(columns), new ArrayList<>());
    }

    public Table add(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values for " + columns.size() + " columns");
        }
        rows.add(List.of(values));
        return this;
    }

    public int column(String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in " + columns);
        }
        return i;
    }
}
