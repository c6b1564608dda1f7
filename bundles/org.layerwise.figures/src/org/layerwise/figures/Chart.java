package org.layerwise.figures;

/** What a figure shows: line charts on shared x axes, or a heatmap. {@link FigureFiles} draws either. */
public sealed interface Chart permits XYChart, Heatmap {

    String title();
}
