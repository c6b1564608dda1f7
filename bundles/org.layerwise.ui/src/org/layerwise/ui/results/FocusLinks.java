package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Control;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Series;

/**
 * How a run view's charts take part in {@link Focus}: a click in a chart focuses the nearest
 * layer it shows, and every chart marks the focused layer with a vertical line.
 */
public final class FocusLinks {

    private FocusLinks() {
    }

    /**
     * The whole layer nearest to x (data coordinates) among those the chart shows: x rounded and
     * clamped to the chart's x range; -1 when it shows nothing.
     */
    public static int nearestLayer(LineChart chart, double x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : chart.series()) {
            for (double v : s.x()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi || !Double.isFinite(x)) {
            return -1;
        }
        long layer = Math.round(Math.max(lo, Math.min(hi, x)));
        return (int) Math.max(0, layer);
    }

    /** Clicking in the chart sets Focus.layer (source: owner). */
    public static void clickSetsLayer(LineChart chart, Object owner) {
        chart.addClickListener(x -> {
            int layer = nearestLayer(chart, x);
            if (layer >= 0) {
                Focus.layer(layer, owner);
            }
        });
    }

    /** Registers the listener with Focus for as long as the control lives. */
    public static void follow(Control owner, Focus.Listener listener) {
        Focus.add(listener);
        owner.addDisposeListener(e -> Focus.remove(listener));
    }
}
