package org.layerwise.core;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a table output is plotted against ({@code by} and {@code axis} on a table's
 * {@code <output>}): the column, what it counts, its title and, for a table by layer, how its
 * layer values map to the workbench's layers (layer t = the states after t blocks, 0 = the
 * prompts).
 *
 * @param column     the column plotted against
 * @param by         what that column counts
 * @param label      the axis title ("layer (block)"); null: the column's name
 * @param convention in words, what the column's values mean; null when not declared
 * @param offsets    rows whose layer value means another layer of the workbench's convention
 */
public record TableAxis(String column, By by, String label, String convention, List<LayerOffset> offsets) {

    /** What a table's axis counts. LAYER links its rows to the layer the workbench shows. */
    public enum By {
        LAYER, STEP, MODE, NONE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Rows with {@code column} = {@code value} (every row when column is null) at layer l mean
     * layer l + offset of the workbench's convention.
     */
    public record LayerOffset(String column, String value, int offset) {

        boolean applies(Map<String, String> row) {
            return column == null || value.equals(row.get(column));
        }
    }

    public TableAxis {
        by = by == null ? By.NONE : by;
        offsets = offsets == null ? List.of() : List.copyOf(offsets);
    }

    /** The axis title: the declared label, else the column. */
    public String title() {
        return label == null || label.isBlank() ? column : label;
    }

    /** The layer of the workbench's convention that a row at {@code layer} means: the first offset that applies. */
    public int layerOf(Map<String, String> row, int layer) {
        for (LayerOffset o : offsets) {
            if (o.applies(row)) {
                return layer + o.offset();
            }
        }
        return layer;
    }
}
