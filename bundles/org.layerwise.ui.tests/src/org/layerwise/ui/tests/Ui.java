package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.ui.editor.PipelineDocument;

/**
 * What the SWT tests share: one Display on the test thread (so assertions run where they are
 * thrown), an event loop that waits for a condition with a deadline, and screenshots.
 */
final class Ui {

    private Ui() {
    }

    static Display display() {
        return Display.getDefault();
    }

    static Shell shell(String title) {
        Shell shell = new Shell(display());
        shell.setText(title);
        shell.setLayout(new FillLayout());
        shell.setSize(1280, 800);
        return shell;
    }

    /** Runs the event loop until the condition holds; fails after the timeout. */
    static void waitUntil(String what, long timeoutMillis, BooleanSupplier condition) {
        Display d = display();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            if (!d.readAndDispatch()) {
                d.timerExec(20, () -> {
                    // wakes sleep() so that the condition is checked again
                });
                d.sleep();
            }
        }
    }

    /** Runs the event loop for this long. */
    static void pause(long millis) {
        long end = System.currentTimeMillis() + millis;
        waitUntil(millis + " ms to pass", millis + 10_000, () -> System.currentTimeMillis() >= end);
    }

    /** Processes every pending event. */
    static void flush() {
        Display d = display();
        while (d.readAndDispatch()) {
            // drain
        }
    }

    /** A PNG of the shell as shown, in target/screenshots (system property layerwise.screenshots). */
    static Path screenshot(Shell shell, String name) throws IOException {
        flush();
        shell.redraw();
        shell.update();
        flush();
        Point size = shell.getSize();
        Image image = new Image(display(), size.x, size.y);
        try {
            GC gc = new GC(shell);
            try {
                gc.copyArea(image, 0, 0);
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

    static Path home() {
        return Path.of(System.getProperty("layerwise.home", "../..")).toAbsolutePath().normalize();
    }

    /**
     * The quickstart pipeline as the editor's document changes it, run to completion with this
     * many evaluation prompts into a fresh temporary folder; fails unless the pipeline is valid
     * and the run ends OK. Returns the run directory.
     */
    static Path completedRun(int evalPrompts, Consumer<PipelineDocument> edit) throws Exception {
        return completedRun("examples/quickstart.layerwise", evalPrompts, edit);
    }

    /** As {@link #completedRun(int, Consumer)} for another pipeline file (relative to the project). */
    static Path completedRun(String pipeline, int evalPrompts, Consumer<PipelineDocument> edit) throws Exception {
        ContributionRegistry registry = ContributionRegistry.load();
        PipelineDocument doc = PipelineDocument.open(home().resolve(pipeline), registry);
        edit.accept(doc);
        assertEquals(List.of(), doc.problems());
        RunOptions options = new RunOptions(Files.createTempDirectory("layerwise-ui-run"), evalPrompts);
        RunResult result = PipelineRunner.run(new PipelineValidator(registry).validate(doc.spec()), options,
                PipelineRunner.createRunDirectory(options, doc.spec()), RunListener.SILENT);
        assertEquals(RunStatus.OK, result.status(), result.cause());
        return result.directory();
    }

    /** Deletes a run made by {@link #completedRun} with the temporary folder it is in. */
    static void delete(Path run) throws IOException {
        if (run == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(run.getParent())) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
