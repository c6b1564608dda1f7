package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.layerwise.core.BadInputFileException;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;
import org.layerwise.io.model.ModelFileReader;
import org.layerwise.io.model.ModelFiles;

/** config.json's integers read exactly and bounded, the model's memory estimated and every header checked before data. */
class ModelFileReaderTest {

    static final TaskSpec TASK = new TaskSpec("classification", 8, 4, 32);

    @TempDir
    Path dir;

    static TransformerModel model(String parameterization) {
        ModelConfig c = new ModelConfig(8, 4, 32, 2, 1, ModelConfig.Attention.SOFTMAX, ModelConfig.Keys.CONTEXT,
                parameterization, 12, "float32", "classification");
        return TransformerModel.gaussian(c, 0.1, new SplittableRandom(1));
    }

    /** A valid run directory: config.json + model.safetensors of a 2-layer merged model (d = 8, C = 4). */
    static Path modelDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        ModelFiles.write(model("merged"), dir, Map.of());
        return dir;
    }

    private void setConfig(Path d, String key, Object raw) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>(Json.readMap(d.resolve("config.json")));
        c.put(key, raw);
        Json.write(d.resolve("config.json"), c);
    }

    private void setConfigText(Path d, String key, String literal) throws IOException {
        String text = Files.readString(d.resolve("config.json"));
        Files.writeString(d.resolve("config.json"), text.replaceFirst("\"" + key + "\": [^,\\n]+", "\"" + key + "\": " + literal));
    }

    private BadInputFileException refused(Path d) {
        return assertThrows(BadInputFileException.class,
                () -> ModelFileReader.read(d.resolve("config.json"), d.resolve("model.safetensors"), TASK));
    }

    @ParameterizedTest
    @CsvSource({"d_x, 4294967304", "n_layers, 4294967298", "n_heads, 4294967297", "d_head, 4294967308",
            "d_y, 18446744073709551620"})
    void integersBeyond32BitsAreRefusedNotWrapped(String key, String value) throws IOException {
        Path d = modelDir(dir.resolve(key));
        setConfigText(d, key, value);
        // ModelFiles.read names the task from config.json itself: the path the workbench takes
        BadInputFileException e = assertThrows(BadInputFileException.class, () -> ModelFiles.read(d));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("'" + key + "' is " + value),
                e.getMessage());
    }

    @Test
    void integralFloatsAreIntegersAndOtherNumbersAreNot() throws Exception {
        Path d = modelDir(dir.resolve("m"));
        setConfigText(d, "n_layers", "2.0");
        assertEquals(2, ModelFileReader.read(d.resolve("config.json"), d.resolve("model.safetensors"), TASK).model().config().nLayers());
        for (String bad : new String[] {"2.5", "\"2\"", "NaN", "true", "[2]"}) {
            setConfigText(d, "n_layers", bad);
            String msg = refused(d).getMessage();
            assertTrue(msg.contains("key 'n_layers' is") && msg.contains("expected an integer"), bad + ": " + msg);
        }
        for (String bad : new String[] {"0", "-1", "1e300", "1025"}) {
            setConfigText(d, "n_layers", bad);
            String msg = refused(d).getMessage();
            assertTrue(msg.contains("'n_layers' is") && msg.contains("expected an integer from 1 to 1024"), bad + ": " + msg);
        }
    }

    @Test
    void anAbsurdModelIsRefusedFromItsShapeInMilliseconds() throws IOException {
        Path d = modelDir(dir.resolve("m"));
        setConfig(d, "n_layers", 2_000_000_000);
        String bound = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> refused(d)).getMessage();
        assertTrue(bound.contains("'n_layers' is 2000000000; expected an integer from 1 to 1024"), bound);
        // within every bound, but 1024 layers of 8 heads of 1,024 x 1,024 (about 300 GB): the heap is asked first
        setConfig(d, "n_layers", 1024);
        setConfig(d, "n_heads", 8);
        setConfig(d, "d_x", 512);
        setConfig(d, "d_y", 512);
        setConfig(d, "d_model", 1024);
        TaskSpec wide = new TaskSpec("classification", 512, 512, 32);
        long start = System.nanoTime();
        BadInputFileException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(BadInputFileException.class,
                () -> ModelFileReader.read(d.resolve("config.json"), d.resolve("model.safetensors"), wide)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("config.json: the model of config.json (n_layers = 1024, n_heads = 8, d_model = 1024")
                && e.getMessage().contains("heap limit is"), e.getMessage());
        assertTrue(ms < 1000, ms + " ms");
    }

    /** The model's tensors plus one unexpected 8 MB tensor. */
    private static Map<String, Tensor> withExtra() {
        Map<String, Tensor> t = new LinkedHashMap<>(ModelFiles.tensors(model("merged")));
        t.put("junk", Tensor.of(new double[1 << 20], 1 << 20));
        return t;
    }

    @Test
    void safetensorsHeadersAreCheckedBeforeAnyDataIsRead() throws Exception {
        Path d = modelDir(dir.resolve("st"));
        Safetensors.write(d.resolve("model.safetensors"), withExtra());
        long allocated = Allocation.of(() -> assertTrue(refused(d).getMessage().contains("unexpected tensor 'junk'")));
        assertTrue(!Allocation.measured() || allocated < 1 << 20, "allocated " + allocated);
    }

    @Test
    void npzHeadersAreCheckedBeforeAnyDataIsRead() throws Exception {
        Path d = modelDir(dir.resolve("npz"));
        Files.delete(d.resolve("model.safetensors"));
        Npz.write(d.resolve("model.npz"), withExtra());
        long allocated = Allocation.of(() -> {
            BadInputFileException e = assertThrows(BadInputFileException.class,
                    () -> ModelFileReader.read(d.resolve("config.json"), d.resolve("model.npz"), TASK));
            assertTrue(e.getMessage().contains("model.npz: unexpected tensor 'junk'"), e.getMessage());
        });
        assertTrue(!Allocation.measured() || allocated < 1 << 20, "allocated " + allocated);
        Npz.write(d.resolve("model.npz"), ModelFiles.tensors(model("merged")));
        assertEquals(2, ModelFiles.read(d).config().nLayers());
    }

    @Test
    void aConfigLargerThanAnyConfigIsRefusedWithoutReadingIt() throws IOException {
        Path d = modelDir(dir.resolve("big"));
        Files.writeString(d.resolve("config.json"), "{\"pad\": \"" + "x".repeat(ModelFileReader.MAX_CONFIG_BYTES) + "\"}");
        String msg = refused(d).getMessage();
        assertTrue(msg.contains("config.json") && msg.contains("more than 1048576 bytes"), msg);
    }
}
