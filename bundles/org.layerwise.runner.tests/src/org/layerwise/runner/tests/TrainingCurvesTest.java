package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.testing.Fixtures;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Tensor;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.runner.PipelineLoader;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;

/** training.npz: the loss and the training accuracy of every step, as the listener heard them. */
class TrainingCurvesTest {

    static final int STEPS = 600;
    static final int BATCH = 64;

    @TempDir
    Path dir;


    @Test
    void the_quickstart_records_one_accuracy_per_step_in_0_1_and_it_rises() throws Exception {
        Path repo = Fixtures.repository();
        PipelineSpec spec = PipelineLoader.load(repo.resolve("examples/quickstart.layerwise"))
                .withOverrides(List.of("backend.steps=" + STEPS, "backend.batch=" + BATCH));
        List<double[]> heard = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void stage(String name) {
            }

            @Override
            public void trainingStep(int step, int total, double loss, double accuracy) {
                heard.add(new double[] {step, loss, accuracy});
            }

            @Override
            public boolean isCanceled() {
                return false;
            }
        };
        RunOptions options = new RunOptions(dir, 64);
        RunResult r = PipelineRunner.run(new PipelineValidator(ContributionRegistry.load()).validate(spec), options,
                PipelineRunner.createRunDirectory(options, spec), listener);
        assertEquals(RunStatus.OK, r.status(), r.cause());

        Map<String, Tensor> npz = Npz.read(r.directory().resolve("training.npz"));
        Tensor accuracyArray = npz.get("accuracy");
        assertNotNull(accuracyArray, "training.npz has " + npz.keySet());
        assertEquals(Tensor.DType.F64, accuracyArray.dtype());
        assertArrayEquals(new long[] {STEPS}, accuracyArray.shape());
        double[] accuracy = accuracyArray.toDoubles();
        double[] loss = npz.get("loss").toDoubles();
        assertEquals(STEPS, loss.length);
        assertEquals(STEPS, heard.size());
        for (int i = 0; i < STEPS; i++) {
            double hits = accuracy[i] * BATCH;
            assertTrue(Double.isFinite(accuracy[i]) && accuracy[i] >= 0 && accuracy[i] <= 1, "step " + (i + 1) + ": " + accuracy[i]);
            assertEquals(Math.rint(hits), hits, 1e-9, "a fraction of the " + BATCH + " prompts of step " + (i + 1));
            assertEquals(i + 1, heard.get(i)[0]);
            assertEquals(loss[i], heard.get(i)[1], 0, "the listener heard the recorded loss");
            assertEquals(accuracy[i], heard.get(i)[2], 0, "the listener heard the recorded accuracy");
        }
        double first = mean(accuracy, 0, 100);
        double last = mean(accuracy, STEPS - 100, STEPS);
        System.out.printf("TrainingCurvesTest: quickstart training accuracy %.3f over the first 100 steps, %.3f over the last 100%n",
                first, last);
        assertTrue(last > first + 0.05, "accuracy " + first + " -> " + last);
        assertTrue(last > 0.25 + 0.05, "above chance (1/4): " + last);

        assertArrayEquals(accuracy, RunDirectory.open(r.directory()).training().get("accuracy"));
        assertArrayEquals(loss, RunDirectory.open(r.directory()).training().get("loss"));
        Map<String, Object> metrics = Json.readMap(r.directory().resolve("metrics.json"));
        assertEquals(mean(accuracy, STEPS - STEPS / 20, STEPS), ((Number) metrics.get("final_train_accuracy")).doubleValue(), 1e-12);
    }

    private static double mean(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s / (to - from);
    }
}
