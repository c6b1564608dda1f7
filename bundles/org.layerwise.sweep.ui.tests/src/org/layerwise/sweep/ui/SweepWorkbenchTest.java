package org.layerwise.sweep.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.application.IWorkbenchWindowConfigurer;
import org.eclipse.ui.application.WorkbenchAdvisor;
import org.eclipse.ui.application.WorkbenchWindowAdvisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.sweep.aggregate.SweepTable;
import org.layerwise.ui.Folders;
import org.layerwise.ui.LayerwiseWorkbenchAdvisor;
import org.layerwise.ui.explorer.ExplorerView;
import org.layerwise.ui.results.ResultsView;
import org.layerwise.ui.results.RunViewPart;
import org.layerwise.ui.results.SummaryPanel;
import org.layerwise.ui.results.SummaryView;

/**
 * The Sweep view in the real workbench window with the product's advisors: the explorer labels a
 * sweep directory and opens it in the Sweep view on a double-click (its points' runs stay in the
 * tree), the view reads it in a job and lays out beside the run views, a point chosen in its
 * table is the run every run view shows, File > Open Sweep Directory... is there, and a folder
 * without sweep.json is said in the view. What the window showed is carried out and asserted on
 * the test thread after the workbench closed.
 * <p>
 * With the environment variable {@code LAYERWISE_SWEEP_PICTURE=DIR} (a real sweep directory) it
 * also takes the picture of docs/workbench-sweep.png: that sweep, its metric against its axis of
 * most values, and the run of its best point in the Summary.
 */
class SweepWorkbenchTest {

    /** What the test saw inside the running workbench. */
    private static final class Seen {
        String sweepLabel;
        boolean pointsInTree;
        String heading;
        String counts;
        boolean sweepAndRunViewVisible;
        List<String> sweepStack = List.of();
        boolean sweepIsInTheRunViewsStack = true;
        String chosenRun;
        final Map<String, String> runViewHeadings = new LinkedHashMap<>();
        List<List<String>> summaryRows = List.of();
        Map<String, Boolean> fileMenu = Map.of();
        Map<String, Boolean> contextMenuOnSweep = Map.of();
        Map<String, Boolean> contextMenuOnRun = Map.of();
        boolean doubleClickShowsARunView;
        String notASweep;
        String openedLater;
        String followedCounts;
        String chosenAfterFollow;
        String summaryAfterFollow;
        Path screenshot;
        Path picture;
        Throwable failure;
    }

    @TempDir
    Path folder;

    @Test
    void theSweepViewOpensFromTheExplorerAndAChosenPointIsTheRunEveryRunViewShows() throws Exception {
        Path sweep = FabricatedSweep.write(folder.resolve("sweeps").resolve("context-by-enforcer"));
        Path empty = Files.createDirectories(folder.resolve("not-a-sweep"));
        Folders.setRoot(folder);
        SweepView.followMillis = 300; // a running sweep is read again this soon (10 s in the product)
        Seen seen = new Seen();
        // SWTChart keeps fonts for the first Display it meets: the panel tests and this one share it, never disposed
        Display display = Display.getCurrent() != null ? Display.getCurrent() : PlatformUI.createDisplay();
        int code = PlatformUI.createAndRunWorkbench(display, new Advisor(display, sweep, empty, seen));
        if (seen.failure != null) {
            throw new AssertionError("inside the workbench: " + seen.failure, seen.failure);
        }
        assertEquals(PlatformUI.RETURN_OK, code);
        assertEquals("context-by-enforcer  [sweep]", seen.sweepLabel, "the explorer labels a sweep directory");
        assertTrue(seen.pointsInTree, "the points' run directories stay in the explorer's tree");
        assertEquals(Boolean.TRUE, seen.contextMenuOnSweep.get("Open in Sweep View"), "context menu on the sweep: " + seen.contextMenuOnSweep);
        assertEquals(Boolean.FALSE, seen.contextMenuOnRun.get("Open in Sweep View"), "context menu on a run: " + seen.contextMenuOnRun);
        assertTrue(seen.heading != null && seen.heading.startsWith("context-by-enforcer"), "double-click opened it: " + seen.heading);
        assertEquals("18 points: 16 OK, 1 PENDING, 1 FAILED; seeds 1, 2, 3", seen.counts);
        assertTrue(seen.sweepAndRunViewVisible, "the Sweep view and a run view are seen together");
        assertTrue(!seen.sweepIsInTheRunViewsStack, "the Sweep view does not hide the run views: its stack " + seen.sweepStack);

        String chosen = FabricatedSweep.point("32", "none", 2);
        assertEquals(sweep.resolve("points").resolve(chosen).toString(), seen.chosenRun);
        assertTrue(seen.runViewHeadings.containsKey(SummaryView.ID), "the Summary came forward: " + seen.runViewHeadings);
        seen.runViewHeadings.forEach((id, heading) -> assertTrue(heading.startsWith(chosen + "  [OK]"), id + " shows the chosen point: "
                + heading));
        String accuracy = seen.summaryRows.stream().filter(r -> r.get(0).startsWith("accuracy")).map(r -> r.get(1)).findFirst().orElse("");
        assertEquals(String.format(java.util.Locale.ROOT, "%.1f%%", 100 * FabricatedSweep.accuracy("32", "none", 2)), accuracy,
                "the Summary's accuracy is that run's: " + accuracy + " in " + seen.summaryRows);
        assertTrue(seen.openedLater != null && seen.openedLater.startsWith(chosen + "  [OK]"), "the Results view opened after the point"
                + " was chosen shows it: " + seen.openedLater);
        assertEquals("18 points: 17 OK, 1 FAILED; seeds 1, 2, 3", seen.followedCounts, "a running sweep is followed without Refresh");
        assertEquals(seen.chosenRun, seen.chosenAfterFollow, "the chosen point stays chosen");
        assertTrue(seen.summaryAfterFollow.startsWith(chosen + "  [OK]"), seen.summaryAfterFollow);
        assertTrue(seen.doubleClickShowsARunView, "double-clicking a point brings a run view forward when none is visible");

        assertEquals(Boolean.TRUE, seen.fileMenu.get("Open Sweep Directory..."), "File menu: " + seen.fileMenu);
        assertTrue(seen.notASweep != null && seen.notASweep.contains(empty.toString()) && seen.notASweep.contains("has no sweep.json"),
                "a folder without sweep.json: " + seen.notASweep);
        assertTrue(seen.screenshot != null && Files.size(seen.screenshot) > 10_000, "screenshot " + seen.screenshot);
        if (pictureDirectory() != null) {
            assertTrue(seen.picture != null && Files.size(seen.picture) > 10_000, "picture " + seen.picture);
        }
    }

    /** The sweep directory to take the docs' picture of, or null. */
    private static Path pictureDirectory() {
        String dir = System.getenv("LAYERWISE_SWEEP_PICTURE");
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    /** The product's advisor, with the checks run once the window is up. */
    private static final class Advisor extends WorkbenchAdvisor {
        private final LayerwiseWorkbenchAdvisor product = new LayerwiseWorkbenchAdvisor();
        private final Display display;
        private final Path sweep;
        private final Path empty;
        private final Seen seen;

        Advisor(Display display, Path sweep, Path empty, Seen seen) {
            this.display = display;
            this.sweep = sweep;
            this.empty = empty;
            this.seen = seen;
        }

        @Override
        public String getInitialWindowPerspectiveId() {
            return product.getInitialWindowPerspectiveId();
        }

        @Override
        public WorkbenchWindowAdvisor createWorkbenchWindowAdvisor(IWorkbenchWindowConfigurer configurer) {
            return product.createWorkbenchWindowAdvisor(configurer);
        }

        @Override
        public void postStartup() {
            display.asyncExec(() -> {
                IWorkbench workbench = PlatformUI.getWorkbench();
                try {
                    look(workbench);
                } catch (Throwable t) {
                    seen.failure = t;
                } finally {
                    workbench.close();
                }
            });
        }

        private void look(IWorkbench workbench) throws Exception {
            IWorkbenchWindow window = workbench.getActiveWorkbenchWindow();
            IWorkbenchPage page = window.getActivePage();
            Shell shell = window.getShell();
            shell.setSize(1280, 1000);
            settle();

            ExplorerView explorer = (ExplorerView) page.showView(ExplorerView.ID);
            TreeViewer tree = (TreeViewer) explorer.getSite().getSelectionProvider();
            tree.refresh();
            page.activate(explorer);
            tree.setExpandedState(sweep.getParent(), true);
            tree.setSelection(new StructuredSelection(sweep), true);
            settle();
            TreeItem item = tree.getTree().getSelection()[0];
            seen.sweepLabel = item.getText();
            tree.setExpandedState(sweep, true);
            tree.setExpandedState(sweep.resolve("points"), true);
            settle();
            Path run = sweep.resolve("points").resolve(FabricatedSweep.point("8", "none", 1));
            tree.setSelection(new StructuredSelection(run), true);
            settle();
            seen.pointsInTree = tree.getTree().getSelection().length == 1 && tree.getTree().getSelection()[0].getText().endsWith("[OK]");
            Menu context = tree.getControl().getMenu();
            seen.contextMenuOnRun = items(context);
            tree.setExpandedState(sweep, false);
            tree.setSelection(new StructuredSelection(sweep), true);
            settle();
            seen.contextMenuOnSweep = items(context);

            // a double-click on the sweep, as SWT reports one to the tree
            Event open = new Event();
            open.item = tree.getTree().getSelection()[0];
            tree.getTree().notifyListeners(SWT.DefaultSelection, open);
            waitUntil(() -> page.findView(SweepView.ID) instanceof SweepView v && v.panel().showsSweep(), 20_000);
            if (!(page.findView(SweepView.ID) instanceof SweepView view)) {
                return; // the double-click did not open the Sweep view: seen.heading stays null
            }
            seen.heading = view.panel().heading();
            seen.counts = view.panel().counts();

            // choose a point in the table, as a click does: the view is active and its row selected
            page.activate(view);
            settle();
            String chosen = FabricatedSweep.point("32", "none", 2);
            SweepTable.Row row = view.panel().table().rows().stream().filter(r -> r.point().equals(chosen)).findFirst().orElseThrow();
            view.panel().points().viewer().setSelection(new StructuredSelection(row), true);
            settle();
            seen.chosenRun = String.valueOf(view.selection().getFirstElement());
            IViewPart summary = page.findView(SummaryView.ID);
            seen.sweepAndRunViewVisible = page.isPartVisible(view) && runViewVisible(page);
            seen.sweepIsInTheRunViewsStack = List.of(page.getViewStack(summary)).contains(view);
            seen.sweepStack = List.of(page.getViewStack(view)).stream().map(v -> v.getSite().getId()).toList();
            for (var ref : page.getViewReferences()) {
                if (ref.getPart(false) instanceof RunViewPart v && v.panel() != null) {
                    seen.runViewHeadings.put(ref.getSecondaryId() == null ? ref.getId() : ref.getSecondaryId(), v.panel().heading());
                }
            }
            if (summary instanceof SummaryView s && s.panel() instanceof SummaryPanel p) {
                seen.summaryRows = p.shownRows();
            }
            seen.screenshot = screenshot(shell, "workbench-sweep");
            // a run view first opened now starts on the chosen point
            RunViewPart results = (RunViewPart) page.showView(ResultsView.ID, null, IWorkbenchPage.VIEW_ACTIVATE);
            settle();
            seen.openedLater = results.panel().heading();
            page.activate(view);
            settle();

            // the pending point ends OK while the view is open: it is read again by itself, the chosen point stays chosen
            Path pending = sweep.resolve("points").resolve(FabricatedSweep.PENDING);
            Files.createDirectories(pending);
            org.layerwise.io.Json.write(pending.resolve("run.json"), Map.of("format", "layerwise-run", "version", 1, "status", "OK",
                    "complete", true));
            org.layerwise.io.Json.write(pending.resolve("metrics.json"), Map.of("accuracy", 0.9));
            waitUntil(() -> view.panel().counts().startsWith("18 points: 17 OK"), 20_000);
            seen.followedCounts = view.panel().counts();
            seen.chosenAfterFollow = String.valueOf(view.selection().getFirstElement());
            seen.summaryAfterFollow = ((RunViewPart) page.findView(SummaryView.ID)).panel().heading();

            // maximized, the Sweep view hides the run views; a double-click on a point brings one forward
            page.setPartState(page.getReference(view), IWorkbenchPage.STATE_MAXIMIZED);
            settle();
            boolean hidden = !runViewVisible(page);
            view.panel().points().viewer().getTable().notifyListeners(SWT.DefaultSelection, new Event());
            settle();
            seen.doubleClickShowsARunView = hidden && page.isPartVisible(page.findView(SummaryView.ID));
            page.setPartState(page.getReference(view), IWorkbenchPage.STATE_RESTORED);
            settle();

            for (MenuItem m : shell.getMenuBar().getItems()) {
                if (m.getText().replace("&", "").equals("File")) {
                    seen.fileMenu = items(m.getMenu());
                }
            }

            view.open(empty);
            waitUntil(() -> view.panel().heading().contains("sweep.json"), 20_000);
            seen.notASweep = view.panel().heading();

            if (pictureDirectory() != null) {
                seen.picture = picture(page, shell, view, pictureDirectory());
            }
        }

        /** The sweep in dir against its axis of most values, its best point chosen (the docs' picture). */
        private Path picture(IWorkbenchPage page, Shell shell, SweepView view, Path dir) throws Exception {
            view.open(dir);
            waitUntil(() -> view.panel().showsSweep() && view.panel().table().directory().equals(dir.toAbsolutePath().normalize()), 60_000);
            SweepPanel panel = view.panel();
            String x = SweepChoice.axes(panel.table()).stream()
                    .max(java.util.Comparator.comparingInt(a -> panel.table().axis(a).values().size())).orElseThrow();
            panel.choose(panel.choice().withXAxis(x));
            List<String> axes = SweepChoice.axes(panel.table());
            panel.choose(panel.choice().withSeriesAxis(axes.get((axes.indexOf(x) + 1) % axes.size())));
            ExplorerView explorer = (ExplorerView) page.findView(ExplorerView.ID);
            explorer.showFolder(dir.getParent());
            TreeViewer tree = (TreeViewer) explorer.getSite().getSelectionProvider();
            tree.setExpandedState(dir, true);
            tree.setExpandedState(dir.resolve("points"), true);
            page.activate(view);
            panel.points().sortBy(PointTable.METRIC);
            panel.points().sortBy(PointTable.METRIC); // descending: the best first
            panel.points().viewer().setSelection(new StructuredSelection(panel.points().shown().get(0)), true);
            settle();
            return screenshot(shell, "workbench-sweep-" + dir.getFileName());
        }

        private static boolean runViewVisible(IWorkbenchPage page) {
            return List.of(page.getViewReferences()).stream().anyMatch(r -> r.getPart(false) instanceof RunViewPart v && page.isPartVisible(v));
        }

        /** The menu's items (label without mnemonic and accelerator: enabled), filled as for showing. */
        private Map<String, Boolean> items(Menu menu) {
            menu.notifyListeners(SWT.Show, new Event());
            settle();
            Map<String, Boolean> labels = new LinkedHashMap<>();
            for (MenuItem item : menu.getItems()) {
                labels.put(item.getText().replace("&", "").replaceAll("\\t.*", ""), item.isEnabled());
            }
            menu.notifyListeners(SWT.Hide, new Event());
            return labels;
        }

        private void waitUntil(BooleanSupplier condition, long millis) {
            long deadline = System.currentTimeMillis() + millis;
            while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
                if (!display.readAndDispatch()) {
                    display.timerExec(20, () -> {
                    });
                    display.sleep();
                }
            }
            settle();
        }

        private void settle() {
            for (int i = 0; i < 200 && display.readAndDispatch(); i++) {
                // process what opening a part queued (layout, paints, handler activation)
            }
        }

        private Path screenshot(Shell shell, String name) throws Exception {
            settle();
            Point size = shell.getSize();
            Image image = new Image(display, size.x, size.y);
            try {
                GC gc = new GC(display); // the screen, so that the menu bar is in the picture
                try {
                    gc.copyArea(image, shell.getLocation().x, shell.getLocation().y);
                } finally {
                    gc.dispose();
                }
                Path dir = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots"));
                Files.createDirectories(dir);
                Path file = dir.resolve(name + ".png");
                ImageLoader loader = new ImageLoader();
                loader.data = new ImageData[] {image.getImageData()};
                loader.save(file.toString(), SWT.IMAGE_PNG);
                return file;
            } finally {
                image.dispose();
            }
        }
    }
}
