package org.layerwise.ui.workbench.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.core.commands.Command;
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
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IViewReference;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.application.IWorkbenchWindowConfigurer;
import org.eclipse.ui.application.WorkbenchAdvisor;
import org.eclipse.ui.application.WorkbenchWindowAdvisor;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.views.IViewDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.Role;
import org.layerwise.io.Json;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.ui.Folders;
import org.layerwise.ui.LayerwisePerspective;
import org.layerwise.ui.LayerwiseWorkbenchAdvisor;
import org.layerwise.ui.editor.PipelineEditor;
import org.layerwise.ui.explorer.ExplorerView;
import org.layerwise.ui.handlers.ResumeRunHandler;
import org.layerwise.ui.editor.PipelineDocument;
import org.layerwise.ui.editor.PipelineEditorInput;
import org.layerwise.ui.results.ResultView;
import org.layerwise.ui.results.ResultViewPart;
import org.layerwise.ui.results.ResultViews;
import org.layerwise.ui.results.ResultsView;
import org.layerwise.ui.results.RunViewPart;
import org.layerwise.ui.results.SummaryView;
import org.layerwise.ui.runs.RunEvents;
import org.layerwise.ui.runs.RunPipelineJob;

/**
 * The real workbench window with the product's advisors: the Layerwise perspective opens
 * first, every Layerwise view registered in plugin.xml and every run view the companion bundles
 * contribute to org.layerwise.ui.resultViews is in its layout and opens without an error part (the
 * latter also under Window > Run Views), the quickstart pipeline opens in the pipeline editor, the Run command is enabled
 * for it and runs it (shortened) as a Job whose finished run every run view then shows; a killed
 * copy of that run shows as INTERRUPTED with Resume Run enabled in its context menu. What
 * the window showed is carried out of the UI thread and asserted after the workbench closed.
 */
class WorkbenchWindowTest {

    private static final String VIEWS = "org.layerwise.ui.";

    /** What the test saw inside the running workbench. */
    private static final class Seen {
        String perspective;
        String windowTitle;
        final List<String> layerwiseViews = new ArrayList<>();
        final List<String> missingFromLayout = new ArrayList<>();
        final Map<String, String> partClasses = new LinkedHashMap<>();
        /** Each contributed run view (org.layerwise.ui.resultViews): its panel's class, or "missing from the layout". */
        final Map<String, String> resultViews = new LinkedHashMap<>();
        final Map<String, String> resultViewTitles = new LinkedHashMap<>();
        List<String> runViewsMenu = List.of();
        String editorClass;
        String editorTitle;
        boolean editorDirty = true;
        boolean runEnabledWithEditor;
        boolean runEnabledWithoutEditor = true;
        RunResult result;
        final Map<String, String> headings = new LinkedHashMap<>();
        final List<String> dialogs = new ArrayList<>();
        Path screenshot;
        boolean resumeDefined;
        String resumeName;
        Map<String, Boolean> runMenu = Map.of();
        Map<String, Boolean> contextMenu = Map.of();
        Boolean resumeEnabledOnOk;
        String interruptedLabel;
        Path contextMenuScreenshot;
        /** The Results view's heading when it was closed and opened again with a run selected in the explorer. */
        String reopenedResultsHeading;
        Throwable failure;
    }

    @TempDir
    Path folder;

    @Test
    void the_window_opens_the_perspective_every_view_and_the_editor_and_runs_the_pipeline() throws Exception {
        Path quickstart = Path.of(System.getProperty("layerwise.home", ".")).resolve("examples/quickstart.layerwise");
        assertTrue(Files.isRegularFile(quickstart), quickstart + " exists");
        Path pipeline = Files.copy(quickstart, folder.resolve("quickstart.layerwise"));
        Folders.setRoot(folder);
        Seen seen = new Seen();
        Display display = PlatformUI.createDisplay();
        int code;
        try {
            code = PlatformUI.createAndRunWorkbench(display, new Advisor(display, pipeline, seen));
        } finally {
            display.dispose();
        }
        if (seen.failure != null) {
            throw new AssertionError("inside the workbench: " + seen.failure, seen.failure);
        }
        assertEquals(PlatformUI.RETURN_OK, code);
        assertEquals(LayerwisePerspective.ID, seen.perspective, "the Layerwise perspective opens first");
        assertTrue(seen.windowTitle != null && seen.windowTitle.contains("Layerwise"), "window title: " + seen.windowTitle);
        assertEquals(java.util.Set.of("org.layerwise.ui.explorer", "org.layerwise.ui.trainingView", "org.layerwise.ui.summaryView",
                "org.layerwise.ui.resultsView"), java.util.Set.copyOf(seen.layerwiseViews), "org.layerwise.ui's own views");
        assertTrue(seen.missingFromLayout.isEmpty(), "views the perspective does not lay out: " + seen.missingFromLayout);
        seen.partClasses.forEach((id, cls) -> {
            assertFalse(cls.contains("ErrorViewPart"), id + " failed to open: " + cls);
            assertTrue(cls.startsWith("org.layerwise.ui"), id + " is a Layerwise view: " + cls);
        });
        assertEquals(seen.layerwiseViews, List.copyOf(seen.partClasses.keySet()), "every view opened");
        // the analyzer-specific views come from the companion bundles, through org.layerwise.ui.resultViews
        Map<String, String> companions = Map.of(
                "org.layerwise.analysis.learning.ui.trainingDynamics", "org.layerwise.analysis.learning.ui.TrainingDynamicsPanel",
                "org.layerwise.analysis.dynamics.ui.layerDynamics", "org.layerwise.analysis.dynamics.ui.LayerDynamicsPanel",
                "org.layerwise.analysis.recursion.ui.recursion", "org.layerwise.analysis.recursion.ui.RecursionPanel",
                "org.layerwise.analysis.ui.weightAbstraction", "org.layerwise.analysis.ui.WeightAbstractionPanel",
                "org.layerwise.analysis.ui.attention", "org.layerwise.analysis.ui.AttentionPanel",
                "org.layerwise.analysis.recursion.ui.trajectories", "org.layerwise.analysis.recursion.ui.TrajectoriesPanel");
        assertEquals(companions, seen.resultViews, "every contributed run view is in the layout and opens its panel");
        assertEquals(List.of("Training Dynamics", "Layer Dynamics", "Recursion", "Weight Abstraction", "Attention", "Trajectories"),
                List.copyOf(seen.resultViewTitles.values()), "tab labels, by declared order");
        assertTrue(seen.runViewsMenu.containsAll(List.of("Summary", "Results", "Training", "Training Dynamics", "Layer Dynamics",
                "Recursion", "Weight Abstraction", "Attention", "Trajectories")), "Window > Run Views: " + seen.runViewsMenu);
        assertEquals(PipelineEditor.class.getName(), seen.editorClass);
        assertEquals("quickstart.layerwise", seen.editorTitle);
        assertFalse(seen.editorDirty, "a pipeline just opened is not dirty");
        assertFalse(seen.runEnabledWithoutEditor, "Run needs a pipeline editor");
        assertTrue(seen.runEnabledWithEditor, "Run is enabled with the pipeline editor active");
        assertTrue(seen.screenshot != null && Files.size(seen.screenshot) > 10_000, "screenshot " + seen.screenshot);

        assertTrue(seen.dialogs.isEmpty(), "no dialog interrupted the user: " + seen.dialogs);
        assertTrue(seen.result != null, "the run finished within 5 minutes");
        assertEquals(RunStatus.OK, seen.result.status(), "the run started from the window: " + seen.result.cause());
        assertEquals(folder.resolve("runs"), seen.result.directory().getParent(), "runs go under the explorer's folder");
        String run = seen.result.directory().getFileName().toString();
        assertTrue(seen.headings.size() >= 3, "run views: " + seen.headings);
        seen.headings.forEach((id, heading) -> assertTrue(heading.startsWith(run), id + " shows the finished run: " + heading));

        assertTrue(seen.resumeDefined, "the Resume Run command is registered");
        assertEquals("Resume Run", seen.resumeName);
        assertTrue(seen.reopenedResultsHeading != null && seen.reopenedResultsHeading.startsWith(run),
                "the Results view opened with a run selected in the explorer shows it: " + seen.reopenedResultsHeading);
        assertTrue(seen.interruptedLabel != null && seen.interruptedLabel.endsWith("[INTERRUPTED]"), "label " + seen.interruptedLabel);
        assertEquals(Boolean.TRUE, seen.runMenu.get("Resume Run"), "Run menu on the INTERRUPTED run: " + seen.runMenu);
        assertEquals(Boolean.TRUE, seen.contextMenu.get("Resume Run"), "the explorer's context menu on the INTERRUPTED run: "
                + seen.contextMenu);
        assertEquals(Boolean.FALSE, seen.resumeEnabledOnOk, "Resume Run in the context menu of the OK run");
        assertTrue(seen.contextMenuScreenshot != null && Files.size(seen.contextMenuScreenshot) > 10_000,
                "screenshot " + seen.contextMenuScreenshot);
    }

    /** The product's advisor, with the checks run once the window is up. */
    private static final class Advisor extends WorkbenchAdvisor {
        private final LayerwiseWorkbenchAdvisor product = new LayerwiseWorkbenchAdvisor();
        private final Display display;
        private final Path pipeline;
        private final Seen seen;

        Advisor(Display display, Path pipeline, Seen seen) {
            this.display = display;
            this.pipeline = pipeline;
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
                    // the shortened pipeline is not the user's to save: no save prompt on the way out
                    workbench.getActiveWorkbenchWindow().getActivePage().closeAllEditors(false);
                    workbench.close();
                }
            });
        }

        private void look(IWorkbench workbench) throws Exception {
            IWorkbenchWindow window = workbench.getActiveWorkbenchWindow();
            IWorkbenchPage page = window.getActivePage();
            Shell shell = window.getShell();
            shell.setSize(1280, 800);
            seen.perspective = page.getPerspective().getId();
            seen.windowTitle = shell.getText();
            Command run = workbench.getService(ICommandService.class).getCommand("org.layerwise.ui.runPipeline");
            settle();
            seen.runEnabledWithoutEditor = run.isEnabled();
            for (ResultView v : ResultViews.load().views()) {
                IViewReference ref = page.findViewReference(ResultViewPart.ID, v.id());
                IViewPart part = ref == null ? null : page.showView(ResultViewPart.ID, v.id(), IWorkbenchPage.VIEW_ACTIVATE);
                settle();
                seen.resultViews.put(v.id(), ref == null ? "missing from the layout"
                        : part instanceof ResultViewPart r && r.panel() != null ? r.panel().getClass().getName() : String.valueOf(part));
                seen.resultViewTitles.put(v.id(), part == null ? null : part.getTitle());
            }
            for (MenuItem item : shell.getMenuBar().getItems()) {
                if (item.getText().replace("&", "").equals("Window")) {
                    Menu windowMenu = item.getMenu();
                    windowMenu.notifyListeners(SWT.Show, new Event()); // fills the menu as opening it does
                    settle();
                    List<String> labels = new ArrayList<>();
                    for (MenuItem sub : windowMenu.getItems()) {
                        labels.add(sub.getText());
                        if (sub.getText().replace("&", "").equals("Run Views") && sub.getMenu() != null) {
                            labels = List.copyOf(items(sub.getMenu()).keySet());
                            break;
                        }
                    }
                    seen.runViewsMenu = labels;
                    windowMenu.notifyListeners(SWT.Hide, new Event());
                }
            }
            for (IViewDescriptor d : workbench.getViewRegistry().getViews()) {
                if (!d.getId().startsWith(VIEWS) || d.getId().equals(ResultViewPart.ID)) {
                    continue;
                }
                seen.layerwiseViews.add(d.getId());
                if (page.findViewReference(d.getId()) == null) {
                    seen.missingFromLayout.add(d.getId());
                }
            }
            for (String id : seen.layerwiseViews) {
                IViewPart part = page.showView(id);
                settle();
                seen.partClasses.put(id, part == null ? "null" : part.getClass().getName());
            }
            IEditorPart editor = page.openEditor(PipelineEditorInput.of(pipeline), PipelineEditor.ID);
            settle();
            seen.editorClass = editor.getClass().getName();
            seen.editorTitle = editor.getTitle();
            seen.editorDirty = editor.isDirty();
            seen.runEnabledWithEditor = run.isEnabled();

            // Run it, shortened, through the command as a user would, and wait for the Job.
            PipelineDocument document = ((PipelineEditor) editor).document();
            document.setSetting(document.pipeline().getStages().get(1), "steps", "300");
            document.addStage(Role.ANALYZER, "coupled-mean-shift");
            document.addStage(Role.ANALYZER, "layer-dynamics");
            RunResult[] finished = new RunResult[1];
            RunEvents.Listener listener = new RunEvents.Listener() {
                @Override
                public void finished(RunPipelineJob job, RunResult result) {
                    finished[0] = result;
                }
            };
            RunEvents.add(listener);
            watchForDialogs(shell);
            try {
                workbench.getService(IHandlerService.class).executeCommand("org.layerwise.ui.runPipeline", null);
                long deadline = System.currentTimeMillis() + 300_000;
                while (finished[0] == null && System.currentTimeMillis() < deadline) {
                    if (!display.readAndDispatch()) {
                        display.timerExec(50, () -> {
                        });
                        display.sleep();
                    }
                }
            } finally {
                RunEvents.remove(listener);
            }
            seen.result = finished[0];
            settle();
            for (IViewReference ref : page.getViewReferences()) {
                if (ref.getPart(false) instanceof RunViewPart v && v.panel() != null) {
                    seen.headings.put(ref.getSecondaryId() == null ? ref.getId() : ref.getSecondaryId(), v.panel().heading());
                }
            }
            page.showView(SummaryView.ID);
            seen.screenshot = screenshot(shell, "workbench-window");
            for (String id : seen.layerwiseViews) { // each view on the finished run, as the window shows it
                page.showView(id);
                screenshot(shell, "workbench-window-" + id.substring(VIEWS.length()));
            }
            for (ResultView v : ResultViews.load().views()) {
                page.showView(ResultViewPart.ID, v.id(), IWorkbenchPage.VIEW_ACTIVATE);
                screenshot(shell, "workbench-window-" + v.id());
            }
            if (seen.result != null) {
                resume(workbench, page, shell, seen.result.directory());
            }
        }

        /**
         * Resume Run on a copy of the finished run whose run.json says RUNNING for a process that
         * is gone (as kill -9 leaves it): the explorer labels it INTERRUPTED, and the command is in
         * the Run menu and the explorer's context menu, enabled on it and not on the OK run.
         */
        private void resume(IWorkbench workbench, IWorkbenchPage page, Shell shell, Path finished) throws Exception {
            Path killed = finished.resolveSibling(finished.getFileName() + "-killed");
            try (Stream<Path> files = Files.walk(finished)) {
                for (Path f : files.toList()) {
                    Files.copy(f, killed.resolve(finished.relativize(f).toString()));
                }
            }
            Map<String, Object> run = new LinkedHashMap<>(Json.readMap(killed.resolve("run.json")));
            run.put("status", "RUNNING");
            run.put("process", Map.of("pid", 1, "host", RunDirectory.hostName(), "started", "1970-01-01T00:00:00Z",
                    "lock", ".run.lock"));
            Json.write(killed.resolve("run.json"), run);

            Command resume = workbench.getService(ICommandService.class).getCommand(ResumeRunHandler.COMMAND_ID);
            seen.resumeDefined = resume.isDefined();
            seen.resumeName = resume.getName();
            ExplorerView explorer = (ExplorerView) page.showView(ExplorerView.ID);
            TreeViewer viewer = (TreeViewer) explorer.getSite().getSelectionProvider();
            viewer.refresh();
            page.activate(explorer);
            viewer.setSelection(new StructuredSelection(finished), true);
            settle();
            Menu context = viewer.getControl().getMenu();
            seen.resumeEnabledOnOk = items(context).get("Resume Run");
            // a run view opened after the run was selected starts on it, whichever part is active
            page.hideView(page.findView(ResultsView.ID));
            if (page.getActiveEditor() != null) {
                page.activate(page.getActiveEditor());
            }
            settle();
            RunViewPart results = (RunViewPart) page.showView(ResultsView.ID);
            settle();
            seen.reopenedResultsHeading = results.panel().heading();
            page.activate(explorer);
            settle();
            viewer.setSelection(new StructuredSelection(killed), true);
            settle();
            seen.interruptedLabel = viewer.getTree().getSelection()[0].getText();
            for (MenuItem item : shell.getMenuBar().getItems()) {
                if (item.getText().replace("&", "").equals("Run")) {
                    seen.runMenu = items(item.getMenu());
                }
            }
            seen.contextMenu = items(context);
            // the explorer maximized, so that whole run names show, and its menu at the run's label
            IViewReference ref = page.findViewReference(ExplorerView.ID);
            page.setPartState(ref, IWorkbenchPage.STATE_MAXIMIZED);
            settle();
            org.eclipse.swt.graphics.Rectangle label = viewer.getTree().getSelection()[0].getBounds();
            context.setLocation(viewer.getTree().toDisplay(label.x + label.width + 8, label.y + label.height / 2));
            context.setVisible(true);
            settle();
            seen.contextMenuScreenshot = screenshot(shell, "explorer-interrupted-run-menu");
            context.setVisible(false);
            page.setPartState(ref, IWorkbenchPage.STATE_RESTORED);
        }

        /**
         * The menu's items (label without mnemonic and accelerator: enabled) once it has been
         * filled and updated as for showing.
         */
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

        /** Closes (and records) any dialog that opens, so that a modal one cannot hang the test. */
        private void watchForDialogs(Shell window) {
            display.timerExec(500, () -> {
                for (Shell s : display.getShells()) {
                    if (s != window && !s.isDisposed() && s.isVisible()) {
                        StringBuilder text = new StringBuilder(s.getText());
                        collectLabels(s, text);
                        seen.dialogs.add(text.toString());
                        s.close();
                    }
                }
                if (!window.isDisposed()) {
                    watchForDialogs(window);
                }
            });
        }

        private static void collectLabels(org.eclipse.swt.widgets.Composite c, StringBuilder text) {
            for (org.eclipse.swt.widgets.Control child : c.getChildren()) {
                if (child instanceof org.eclipse.swt.widgets.Label l) {
                    text.append(" | ").append(l.getText());
                } else if (child instanceof org.eclipse.swt.widgets.Composite cc) {
                    collectLabels(cc, text);
                }
            }
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
