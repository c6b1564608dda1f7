package org.layerwise.backend.softmax;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.layerwise.core.BackendContext;
import org.layerwise.core.ModelBackend;
import org.layerwise.core.Settings;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.symmetry.RandomConjugation;
import org.layerwise.tasks.LinearTask;

/**
 * Fused training never touches ND4J, so the batch product starts without loading ND4J or its
 * natives. The backend's classes are loaded afresh by a loader that refuses ND4J, JavaCPP and the
 * SameDiff graph and records every request for them. Whatever other tests in this runtime have
 * already loaded or activated does not matter: this loader has seen nothing before.
 */
class LazyNd4jTest {

    /** Defines this bundle's classes itself; refuses and records the ND4J side; delegates the rest. */
    static final class WithoutNd4j extends ClassLoader {
        private static final String OWN = SoftmaxAttentionBackend.class.getPackageName() + ".";
        private static final String GRAPH = SoftmaxAttentionGraph.class.getName();
        final List<String> refused = new CopyOnWriteArrayList<>();

        WithoutNd4j() {
            super(SoftmaxAttentionBackend.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("org.nd4j.") || name.startsWith("org.bytedeco.") || name.equals(GRAPH)) {
                refused.add(name);
                throw new ClassNotFoundException(name + " (refused: ND4J must not load on the fused path)");
            }
            if (!name.startsWith(OWN)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    byte[] bytes = bytes(name);
                    c = defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        private byte[] bytes(String name) throws ClassNotFoundException {
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ModelBackend backend() throws ReflectiveOperationException {
            // initialize = true links the class: the verifier loads whatever its checks need
            return (ModelBackend) Class.forName(SoftmaxAttentionBackend.class.getName(), true, this)
                    .getDeclaredConstructor().newInstance();
        }
    }

    static BackendContext context(String engine) {
        ModelConfig c = new ModelConfig(3, 2, 6, 2, 1, ModelConfig.Attention.SOFTMAX, Keys.CONTEXT, "merged", 5, "float32",
                "classification");
        Settings s = Settings.of(Map.ofEntries(Map.entry("layers", 2L), Map.entry("heads", 1L), Map.entry("keys", "context"),
                Map.entry("steps", 8L), Map.entry("batch", 16L), Map.entry("lr", 0.01), Map.entry("beta1", 0.9),
                Map.entry("beta2", 0.999), Map.entry("eps", 1e-8), Map.entry("init_scale", 0.1), Map.entry("dtype", "float32"),
                Map.entry("threads", 1L), Map.entry("nd4j_threads", 1L), Map.entry("engine", engine),
                Map.entry("schedule", "cosine"), Map.entry("weight_decay", 0.0)));
        Settings task = Settings.of(Map.of("d", 3L, "C", 2L, "N", 6L, "seed", -1L));
        return new BackendContext(s, c, null, (step, size) -> new LinearTask().generate(task, size, 100 + step), new RandomConjugation(), Settings.of(Map.of("factor", "both")), 1, 2,
                TrainingMonitor.NONE);
    }

    @Test
    void fused_training_loads_no_nd4j_class_and_not_the_samediff_graph() throws ReflectiveOperationException {
        WithoutNd4j loader = new WithoutNd4j();
        ModelBackend backend = loader.backend();
        TrainedModel t = assertDoesNotThrow(() -> backend.build(context("auto")), () -> "refused: " + loader.refused);
        assertEquals("fused", t.facts().get("engine"));
        assertEquals(8, t.lossCurve().length);
        assertEquals(List.of(), loader.refused, "the fused path asked for ND4J classes");
    }

    /** The control: the same loader does catch a path that needs ND4J. */
    @Test
    void the_nd4j_engine_through_the_same_loader_is_refused() throws ReflectiveOperationException {
        WithoutNd4j loader = new WithoutNd4j();
        ModelBackend backend = loader.backend();
        assertThrows(NoClassDefFoundError.class, () -> backend.build(context("nd4j")));
        assertFalse(loader.refused.isEmpty());
    }
}
