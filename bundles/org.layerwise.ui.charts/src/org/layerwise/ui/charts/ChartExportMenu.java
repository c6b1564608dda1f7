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

    private ChartExportMenu() {
    }

    public static void attach(LineChart chart) {
        Menu menu = new Menu(chart.control());
        for (ChartExport.Format f : ChartExport.Format.values()) {
            MenuItem item = new MenuItem(menu, SWT.PUSH);
            item.setText("Export as " + f.name() + "...");
            item.addListener(SWT.Selection, e -> export(chart, f));
        }
        chart.control().setMenu(menu);
        // SWTChart draws on child canvases: the menu must be on them too.
        for (Control c : chart.control().getChildren()) {
            c.setMenu(menu);
        }
    }

    private static void export(LineChart chart, ChartExport.Format format) {
        FileDialog dialog = new FileDialog(chart.control().getShell(), SWT.SAVE);
        dialog.setText("Export chart as " + format.name());
        dialog.setFilterExtensions(new String[] {"*." + format.extension});
        dialog.setFileName(ChartExport.baseName(chart) + "." + format.extension);
        dialog.setOverwrite(true);
        String file = dialog.open();
        if (file == null) {
            return;
        }
        try {
            ChartExport.write(chart, Path.of(file), format);
        } catch (IOException | RuntimeException e) {
            MessageBox box = new MessageBox(chart.control().getShell(), SWT.ICON_ERROR | SWT.OK);
            box.setText("Export failed");
            box.setMessage("Could not write " + file + ": " + e.getMessage());
            box.open();
        }
    }
}
