package org.layerwise.releng.baseline;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a check: what {@code update-baseline} runs to record a released site's API bundles as
 * baseline/ID.api.json. Runs only when -Dlayerwise.baseline.bundles names the jars (a
 * path-separated list) and -Dlayerwise.baseline.out the folder to write.
 */
@EnabledIfSystemProperty(named = "layerwise.baseline.bundles", matches = ".+")
class RecordBaselineTest {

    @Test
    void recordTheGivenBundles() throws Exception {
        Path out = Path.of(System.getProperty("layerwise.baseline.out"));
        Files.createDirectories(out);
        List<String> written = new ArrayList<>();
        for (String jar : System.getProperty("layerwise.baseline.bundles").split(java.io.File.pathSeparator)) {
            ApiBaseline.Recorded r = ApiBaseline.record(Path.of(jar));
            ApiBaseline.write(r, out.resolve(r.bundle() + ".api.json"));
            written.add(r.bundle());
        }
        assertFalse(written.isEmpty(), "no bundle given");
        System.out.println("recorded: " + String.join(" ", written));
    }
}
