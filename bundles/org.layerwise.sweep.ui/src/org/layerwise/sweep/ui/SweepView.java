package org.layerwise.sweep.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jface.action.Action;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.ui.IMemento;
import org.eclipse.ui.IViewReference;
import org.eclipse.ui.IViewSite;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.part.ViewPart;
import org.layerwise.sweep.aggregate.SweepTable;
import org.layerwise.ui.Folders;
import org.layerwise.ui.results.RunViewPart;
import org.layerwise.ui.results.SummaryView;

/**
 * The Sweep view: one sweep directory at a time (remembered across sessions), read in a
 * background job and read again on Refresh. Its selection is the run directories of the points
 * chosen in it, so the run views show a chosen point's run as they show a run chosen in the
 * explorer; choosing a point (a row, a marker, a double-click) also brings a run view forward
 * when none is visible.
 */
public final class SweepView extends ViewPart {

    public static final String ID = "org.layerwise.sweep.ui.sweepView";
    private static final String MEMENTO_DIRECTORY = "directory";

    private SweepPanel panel;
    private Path directory;
    /** Which read is the latest: an older one that ends later is dropped. */
    private final AtomicInteger reads = new AtomicInteger();

    /** Shows the view in the page and the sweep in dir in it. */
    public static SweepView open(IWorkbenchPage page, Path dir) throws PartInitException {
        SweepView view = (SweepView) page.showView(ID);
        view.open(dir);
        return view;
    }

    @Override
    public void init(IViewSite site, IMemento memento) throws PartInitException {
        super.init(site, memento);
        String saved = memento == null ? null : memento.getString(MEMENTO_DIRECTORY);
        if (saved != null && Files.isDirectory(Path.of(saved))) {
            directory = Path.of(saved);
        }
    }

    @Override
    public void saveState(IMemento memento) {
        if (directory != null) {
            memento.putString(MEMENTO_DIRECTORY, directory.toString());
        }
    }

    @Override
    public void createPartControl(Composite parent) {
        panel = new SweepPanel(parent);
        getSite().setSelectionProvider(new RunSelection(panel.points().viewer(), row -> ((SweepTable.Row) row).run()));
        panel.points().viewer().addPostSelectionChangedListener(e -> {
            if (!e.getSelection().isEmpty()) {
                showRunViews();
            }
        });
        panel.points().viewer().addDoubleClickListener(e -> showRunViews());
        Action open = new Action("Open Sweep Directory...") {
            @Override
            public void run() {
                chooseDirectory();
            }
        };
        open.setToolTipText("Show another sweep directory");
        Action refresh = new Action("Refresh") {
            @Override
            public void run() {
                refresh();
            }
        };
        refresh.setToolTipText("Read sweep.json and the points' runs again (a running sweep changes)");
        getViewSite().getActionBars().getToolBarManager().add(open);
        getViewSite().getActionBars().getToolBarManager().add(refresh);
        if (directory != null) {
            open(directory);
        }
    }

    /** Asks for a directory and shows it. */
    public void chooseDirectory() {
        DirectoryDialog dialog = new DirectoryDialog(getSite().getShell());
        dialog.setText("Sweep directory (the folder holding sweep.json)");
        dialog.setFilterPath((directory != null ? directory.getParent() : Folders.root()).toString());
        String chosen = dialog.open();
        if (chosen != null) {
            open(Path.of(chosen));
        }
    }

    /** Reads and shows the sweep in dir. */
    public void open(Path dir) {
        directory = dir.toAbsolutePath().normalize();
        setContentDescription(directory.toString());
        refresh();
    }

    /** Reads the shown sweep again, keeping what is chosen. */
    public void refresh() {
        if (directory == null) {
            return;
        }
        int read = reads.incrementAndGet();
        panel.reading(directory);
        new ReadSweepJob(directory, outcome -> panel.getDisplay().asyncExec(() -> {
            if (panel.isDisposed() || read != reads.get()) {
                return;
            }
            if (outcome.table() != null) {
                panel.show(outcome.table());
            } else {
                panel.failed(outcome.problem());
            }
        })).schedule();
    }

    /** Brings a run view forward unless one is visible already, so that a chosen point's run is seen. */
    void showRunViews() {
        IWorkbenchPage page = getSite().getPage();
        for (IViewReference ref : page.getViewReferences()) {
            if (ref.getPart(false) instanceof RunViewPart v && page.isPartVisible(v)) {
                return;
            }
        }
        try {
            page.showView(SummaryView.ID, null, IWorkbenchPage.VIEW_VISIBLE);
        } catch (PartInitException e) {
            org.eclipse.core.runtime.ILog.of(SweepView.class).error("cannot show the Summary view", e);
        }
    }

    /** The sweep directory shown (null before one is opened). */
    public Path directory() {
        return directory;
    }

    SweepPanel panel() {
        return panel;
    }

    /** The run directories of the chosen points. */
    IStructuredSelection selection() {
        return (IStructuredSelection) getSite().getSelectionProvider().getSelection();
    }

    @Override
    public void setFocus() {
        panel.points().viewer().getControl().setFocus();
    }
}
