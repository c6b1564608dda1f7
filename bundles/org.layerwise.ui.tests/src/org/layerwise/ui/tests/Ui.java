package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;

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
}
