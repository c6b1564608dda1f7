package org.layerwise.sweep.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
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
 * background job, read again on Refresh and, while points are running or waiting, every few
 * seconds by itself. Its selection is the run directories of the points
 * chosen in it, so the run views show a chosen point's run as they show a run chosen in the
 * explorer; choosing a point (a row, a marker, a double-click) also brings a run view forward
 * when none is visible.
 */
public final class SweepView extends ViewPart {

    public static final String ID = "org.layerwise.sweep.ui.sweepView";
    private static final String MEMENTO_DIRECTORY = "directory";
    /** The statuses of a sweep still running (or waiting to): the view reads it again while it has one. */
    private static final Set<String> UNFINISHED = Set.of("RUNNING", SweepTable.PENDING);
    /** How long after a read of a running sweep it is read again, at the least (tests shorten it). */
    static int followMillis = 10_000;

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
        RunSelection runs = new RunSelection(panel.points().viewer(), row -> ((SweepTable.Row) row).run());
        getSite().setSelectionProvider(runs);
        runs.addPostSelectionChangedListener(e -> {
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
        if (directory != null) {
            panel.reading(directory);
            read();
        }
    }

    /**
     * Reads the directory in a job and shows what it holds; while a point is RUNNING or PENDING,
     * reads it again after {@link #followMillis} (or ten times the read's own time, for a big
     * sweep), so that a running sweep's points join the chart as they finish.
     */
    private void read() {
        int read = reads.incrementAndGet();
        Path dir = directory;
        long started = System.nanoTime();
        new ReadSweepJob(dir, outcome -> panel.getDisplay().asyncExec(() -> {
            if (panel.isDisposed() || read != reads.get()) {
                return;
            }
            if (outcome.table() == null) {
                panel.failed(outcome.problem());
                return;
            }
            panel.show(outcome.table());
            if (outcome.table().rows().stream().anyMatch(r -> UNFINISHED.contains(r.status()))) {
                long wait = Math.max(followMillis, 10 * (System.nanoTime() - started) / 1_000_000);
                panel.getDisplay().timerExec((int) Math.min(wait, Integer.MAX_VALUE), () -> {
                    if (!panel.isDisposed() && read == reads.get() && dir.equals(directory)) {
                        read(); // quietly: the heading keeps the counts it shows
                    }
                });
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
