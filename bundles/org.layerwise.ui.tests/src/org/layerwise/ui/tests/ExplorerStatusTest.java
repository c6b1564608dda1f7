package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import org.eclipse.core.expressions.EvaluationContext;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.ISources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunStatus;
import org.layerwise.ui.explorer.ExplorerContent;
import org.layerwise.ui.explorer.ExplorerLabels;
import org.layerwise.ui.explorer.RunningRuns;
import org.layerwise.ui.handlers.ResumeRunHandler;

/**
 * The explorer tells a killed run (run.json says RUNNING, its process is gone) as INTERRUPTED,
 * follows a RUNNING run until it dies, and Resume Run is enabled for exactly the runs that can
 * be resumed. The runs are fabricated run.json files; a live one holds its lock in this JVM.
 */
class ExplorerStatusTest extends ShellTest {

    /** A run directory whose run.json records this status, written by "process 1 on this host". */
    static Path fabricatedRun(Path parent, String name, String status) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        Json.write(dir.resolve("run.json"), Map.of("status", status, "process", Map.of("pid", 1, "host",
                RunDirectory.hostName(), "started", "1970-01-01T00:00:00Z", "lock", ".run.lock")));
        return dir;
    }

    @Test
    void aRunningRunWithoutItsProcessIsLabelledInterrupted(@TempDir Path folder) throws Exception {
        Path run = fabricatedRun(folder, "killed", "RUNNING");
        assertFalse(Files.exists(run.resolve(".run.lock")));
        ExplorerLabels labels = new ExplorerLabels();
        assertEquals("killed  [INTERRUPTED]", labels.getText(run));
        assertEquals(0, labels.running().length, "an interrupted run is not followed");
        assertEquals("done  [OK]", labels.getText(fabricatedRun(folder, "done", "OK")));
        assertEquals("stopped  [CANCELLED]", labels.getText(fabricatedRun(folder, "stopped", "CANCELLED")));
    }

    @Test
    void aRunningRunIsLabelledAgainWhenItsProcessDies(@TempDir Path folder) throws Exception {
        Path run = fabricatedRun(folder, "live", "RUNNING");
        shell = Ui.shell("Explorer");
        TreeViewer viewer = new TreeViewer(shell, SWT.SINGLE);
        viewer.setContentProvider(new ExplorerContent());
        ExplorerLabels labels = new ExplorerLabels();
        viewer.setLabelProvider(labels);
        try (FileChannel lock = FileChannel.open(run.resolve(".run.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = lock.lock(); // as the runner holds it while the run lives
            viewer.setInput(folder);
            shell.open();
            RunningRuns.follow(viewer, labels, 100);
            TreeItem item = viewer.getTree().getItem(0);
            assertEquals("live  [RUNNING]", item.getText());
            assertArrayEquals(new Path[] {run}, labels.running());
            Ui.pause(400); // the follower reads the status a few times
            assertEquals("live  [RUNNING]", item.getText(), "a live run stays RUNNING");
            held.release(); // the process is gone: kill -9 releases the lock the same way
            Ui.waitUntil("the label to say INTERRUPTED", 5_000, () -> item.getText().equals("live  [INTERRUPTED]"));
            assertEquals(0, labels.running().length);
        }
    }

    @Test
    void aSweepDirectoryIsLabelledAsOneAndItsPointsStayInTheTree(@TempDir Path folder) throws Exception {
        Path sweep = Files.createDirectories(folder.resolve("depth"));
        Files.writeString(sweep.resolve("sweep.json"), "{}");
        Path point = fabricatedRun(Files.createDirectories(sweep.resolve("points")), "p0000", "OK");
        Path plain = Files.createDirectories(folder.resolve("plain"));
        ExplorerLabels labels = new ExplorerLabels();
        assertEquals("depth  [sweep]", labels.getText(sweep));
        assertEquals("plain", labels.getText(plain));
        ExplorerContent content = new ExplorerContent();
        assertTrue(content.hasChildren(sweep), "a sweep opens like a folder");
        assertArrayEquals(new Object[] {sweep.resolve("points")}, content.getChildren(sweep));
        assertArrayEquals(new Object[] {point}, content.getChildren(sweep.resolve("points")));
    }

    @Test
    void resumeIsEnabledForOneCancelledOrInterruptedRunOnly(@TempDir Path folder) throws Exception {
        Path cancelled = fabricatedRun(folder, "cancelled", "CANCELLED");
        Path interrupted = fabricatedRun(folder, "interrupted", "RUNNING");
        Path failed = fabricatedRun(folder, "failed", "FAILED");
        Path ok = fabricatedRun(folder, "ok", "OK");
        Path notARun = Files.createDirectories(folder.resolve("plain"));
        assertEquals(RunStatus.INTERRUPTED, RunDirectory.status(interrupted));

        assertTrue(enabled(new StructuredSelection(cancelled)), "CANCELLED");
        assertTrue(enabled(new StructuredSelection(interrupted)), "INTERRUPTED");
        assertTrue(enabled(new StructuredSelection(failed)), "FAILED");
        assertFalse(enabled(new StructuredSelection(ok)), "OK");
        assertFalse(enabled(new StructuredSelection(notARun)), "a folder that is no run");
        assertFalse(enabled(new StructuredSelection(new Object[] {cancelled, interrupted})), "two runs");
        assertFalse(enabled(StructuredSelection.EMPTY), "nothing selected");
        assertFalse(enabled(null), "no selection variable");
        assertEquals(interrupted, ResumeRunHandler.resumable(new StructuredSelection(interrupted)));
        assertNull(ResumeRunHandler.resumable(new StructuredSelection(ok)));
    }

    private static boolean enabled(Object selection) {
        ResumeRunHandler handler = new ResumeRunHandler();
        EvaluationContext context = new EvaluationContext(null, new Object());
        if (selection != null) {
            context.addVariable(ISources.ACTIVE_CURRENT_SELECTION_NAME, selection);
        }
        handler.setEnabled(context);
        return handler.isEnabled();
    }
}
