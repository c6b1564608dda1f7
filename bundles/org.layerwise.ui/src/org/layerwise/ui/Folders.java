package org.layerwise.ui;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.osgi.service.prefs.BackingStoreException;

/**
 * The folder the explorer shows (remembered between sessions) and where runs started in the
 * workbench write their run directories: its runs/ subfolder, as on the command line.
 */
public final class Folders {

    private static final String KEY = "folder";

    private Folders() {
    }

    private static IEclipsePreferences node() {
        return InstanceScope.INSTANCE.getNode("org.layerwise.ui");
    }

    public static Path root() {
        String chosen = node().get(KEY, null);
        if (chosen != null && Files.isDirectory(Path.of(chosen))) {
            return Path.of(chosen);
        }
        return Path.of(System.getProperty("layerwise.home", System.getProperty("user.dir"))).toAbsolutePath().normalize();
    }

    public static void setRoot(Path folder) {
        node().put(KEY, folder.toAbsolutePath().normalize().toString());
        try {
            node().flush();
        } catch (BackingStoreException e) {
            // remembered for this session only
        }
    }

    public static Path runs() {
        return root().resolve("runs");
    }
}
