package org.layerwise.ui.results;

import java.util.List;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.layerwise.runner.RunDirectory;

/** The Summary of a run as a table of {@link SummaryRows}. */
public final class SummaryPanel extends RunPanel {

    private static final String[] COLUMNS = {"quantity", "value", "bootstrap interval", "note"};
    private static final int[] WIDTHS = {150, 100, 120, 560};

    private final Table table;

    public SummaryPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(1, false));
        placeHeading(1);
        table = new Table(this, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        for (int i = 0; i < COLUMNS.length; i++) {
            TableColumn c = new TableColumn(table, SWT.LEFT);
            c.setText(COLUMNS[i]);
            c.setWidth(WIDTHS[i]);
        }
    }

    @Override
    protected void show(RunDirectory run) {
        table.removeAll();
        for (SummaryRows.Row r : SummaryRows.of(run)) {
            TableItem item = new TableItem(table, SWT.NONE);
            item.setText(new String[] {r.quantity(), r.value(), r.interval(), r.note()});
        }
        // Wide enough for every value: nothing is clipped; the note column takes the rest.
        for (int i = 0; i < COLUMNS.length - 1; i++) {
            TableColumn c = table.getColumn(i);
            c.pack();
            c.setWidth(Math.max(c.getWidth() + 8, WIDTHS[i]));
        }
    }

    /** The rows as shown: quantity, value, interval, note. */
    public List<List<String>> shownRows() {
        return List.of(table.getItems()).stream()
                .map(i -> List.of(i.getText(0), i.getText(1), i.getText(2), i.getText(3))).toList();
    }
}
