package org.layerwise.sweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How an executor starts the batch product's worker on some points of a sweep directory:
 * {@code PREFIX DIR ID...}, for the product {@code HOME/layerwise sweep run-points DIR ID...}
 * with LAYERWISE_NO_BUILD=1 (a point never triggers a build, and many may start at once).
 */
public record PointCommand(List<String> prefix, Map<String, String> environment) {

    public PointCommand {
        prefix = List.copyOf(prefix);
        environment = Map.copyOf(environment);
    }

    /** The worker of the product started by the repository's script at {@code home/layerwise}. */
    public static PointCommand forProduct(Path home) {
        Path script = home.toAbsolutePath().normalize().resolve("layerwise");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException(script + " is not an executable file: the sweep's points are started by the "
                    + "repository's start script (set -Dlayerwise.home to the repository)");
        }
        return new PointCommand(List.of(script.toString(), "sweep", "run-points"), Map.of("LAYERWISE_NO_BUILD", "1"));
    }

    public List<String> argv(Path sweepDir, List<String> pointIds) {
        List<String> out = new ArrayList<>(prefix);
        out.add(sweepDir.toString());
        out.addAll(pointIds);
        return out;
    }
}
