package org.layerwise.launcher;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts a product with the plugin folder: prepares its configuration area, then hands over to
 * the Equinox launcher in this same JVM (no second process, no extra start-up). The start script
 * runs it as {@code java -cp org.layerwise.launcher.jar:org.eclipse.equinox.launcher.jar
 * org.layerwise.launcher.Launch PRODUCT_DIR NAME CACHE_DIR [EQUINOX_ARGS...]}.
 */
public final class Launch {

    private Launch() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 3) {
            System.err.println("usage: Launch PRODUCT_DIR NAME CACHE_DIR [EQUINOX_ARGS...]");
            System.exit(Exit.USAGE.code);
        }
        Path product = Path.of(args[0]).toAbsolutePath();
        LaunchConfiguration.Area area;
        try {
            area = LaunchConfiguration.prepare(product, args[1], PluginFolder.location(System.getenv()), Path.of(args[2]));
        } catch (PluginException e) {
            System.err.println("layerwise: " + e.getMessage());
            System.exit(e.exit().code);
            return;
        }
        area.warnings().forEach(w -> System.err.println("layerwise: warning: " + w));
        LaunchConfiguration.holdInUse(area.dir());
        List<String> equinox = new ArrayList<>(List.of("-install", product.toString(), "-configuration", area.dir().toString()));
        equinox.addAll(Arrays.asList(args).subList(3, args.length));
        try {
            Class.forName("org.eclipse.equinox.launcher.Main").getMethod("main", String[].class)
                    .invoke(null, (Object) equinox.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
