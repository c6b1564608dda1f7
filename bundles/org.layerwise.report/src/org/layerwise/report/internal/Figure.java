package org.layerwise.report.internal;

import java.util.List;

import org.layerwise.figures.Chart;

/** A chart and the tidy table of exactly the numbers it plots (written beside it as CSV). */
record Figure(String name, String caption, Chart chart, int width, int height, List<String> columns, List<List<Object>> rows) {

    Figure {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }
}
