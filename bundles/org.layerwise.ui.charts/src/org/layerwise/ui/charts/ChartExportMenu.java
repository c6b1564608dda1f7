package org.layerwise.ui.charts;

import java.io.IOException;
import java.nio.file.Path;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.MessageBox;

/** The context menu of every chart: export as PNG, SVG or CSV. */
public final class ChartExportMenu {

    /** Writes one chart in one format. */
    @FunctionalInterface
    private interface Writer {
        void write(Path file, ChartExport.Format format) throws IOException;
    }

    private ChartExportMenu() {
    }

    public static void attach(LineChart chart) {
        attach(chart.control(), () -> ChartExport.baseName(chart), (file, f) -> ChartExport.write(chart, file, f));
    }

    public static void attach(HeatmapChart chart) {
        attach(chart.control(), () -> ChartExport.baseName(chart), (file, f) -> ChartExport.write(chart, file, f));
    }

    private static void attach(Control control, java.util.function.Supplier<String> baseName, Writer writer) {
        Menu menu = new Menu(control);
        for (ChartExport.Format f : ChartExport.Format.values()) {
            MenuItem item = new MenuItem(menu, SWT.PUSH);
            item.setText("Export as " + f.name() + "...");
            item.addListener(SWT.Selection, e -> export(control, baseName.get(), writer, f));
        }
        setMenu(control, menu);
    }

    /** SWTChart draws on child canvases (plot area, axes; a heatmap's colour bar): the menu must be on them too. */
    private static void setMenu(Control control, Menu menu) {
        control.setMenu(menu);
        if (control instanceof org.eclipse.swt.widgets.Composite c) {
            for (Control child : c.getChildren()) {
                setMenu(child, menu);
            }
        }
    }

    private static void export(Control control, String baseName, Writer writer, ChartExport.Format format) {
        FileDialog dialog = new FileDialog(control.getShell(), SWT.SAVE);
        dialog.setText("Export chart as " + format.name());
        dialog.setFilterExtensions(new String[] {"*." + format.extension});
        dialog.setFileName(baseName + "." + format.extension);
        dialog.setOverwrite(true);
        String file = dialog.open();
        if (file == null) {
            return;
        }
        try {
            writer.write(Path.of(file), format);
        } catch (IOException | RuntimeException e) {
            MessageBox box = new MessageBox(control.getShell(), SWT.ICON_ERROR | SWT.OK);
            box.setText("Export failed");
            box.setMessage("Could not write " + file + ": " + e.getMessage());
            box.open();
        }
    }
}
