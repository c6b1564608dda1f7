package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.core.SeriesSchedule;
import org.layerwise.core.Tensor;
import org.layerwise.io.Json;
import org.layerwise.io.Safetensors;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.Resumption;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;

/** A run's checkpoint series: the scheduled steps, in the model's own names, listed in run.json, exact on resume. */
class SeriesTest {

    @TempDir
    Path dir;

    private ValidatedPipeline pipeline(String schedule) throws Exception {
        List<PipelineSpec.Stage> stages = List.of(
                new PipelineSpec.Stage(Role.TASK, "linear", Map.of("d", "4", "C", "3", "N", "8"), 0),
                new PipelineSpec.Stage(Role.BACKEND, "softmax-attention",
                        Map.of("layers", "2", "steps", "40", "batch", "16", "threads", "2", "checkpoints", schedule), 0),
                new PipelineSpec.Stage(Role.ENFORCER, "random-conjugation", Map.of(), 0));
        return new PipelineValidator(ContributionRegistry.load()).validate(new PipelineSpec("series", 4, stages, null));
    }

    private Path run(String out, String schedule, int cancelAt) throws Exception {
        ValidatedPipeline p = pipeline(schedule);
        RunOptions options = new RunOptions(dir.resolve(out), 16);
        Path run = PipelineRunner.createRunDirectory(options, p.spec());
        boolean[] cancelled = {false};
        RunResult r = PipelineRunner.run(p, options, run, new RunListener() {
            @Override
            public void stage(String name) {
            }

            @Override
            public void trainingStep(int step, int total, double loss, double accuracy) {
                cancelled[0] |= step == cancelAt;
            }

            @Override
            public boolean isCanceled() {
                return cancelled[0];
            }
        });
        assertEquals(cancelAt < 0 ? RunStatus.OK : RunStatus.CANCELLED, r.status(), r.cause());
        return run;
    }

    private static List<String> files(Path ckpt) throws Exception {
        try (Stream<Path> s = Files.list(ckpt)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void the_scheduled_checkpoints_are_written_listed_and_the_last_is_the_model() throws Exception {
        Path run = run("whole", "log:4", -1);
        int[] steps = SeriesSchedule.parse("log:4", 40).steps();
        List<String> expected = new ArrayList<>();
        for (int s : steps) {
            expected.add(String.format("step_%08d.safetensors", s));
        }
        assertEquals(expected, files(run.resolve("ckpt")));
        List<?> listed = (List<?>) Json.readMap(run.resolve("run.json")).get("checkpoints");
        assertEquals(steps.length, listed.size());
        assertEquals(Map.of("step", 40, "file", "ckpt/" + expected.get(expected.size() - 1)), listed.get(listed.size() - 1));
        Map<String, Tensor> last = Safetensors.read(run.resolve("ckpt").resolve(expected.get(expected.size() - 1))).tensors();
        Map<String, Tensor> model = Safetensors.read(run.resolve("model.safetensors")).tensors();
        assertEquals(model.keySet(), last.keySet());
        for (String name : model.keySet()) {
            assertArrayEquals(model.get(name).toDoubles(), last.get(name).toDoubles(), 0.0, name);
        }
        Map<String, Tensor> first = Safetensors.read(run.resolve("ckpt").resolve(expected.get(0))).tensors();
        assertTrue(!java.util.Arrays.equals(first.get("blocks.0.attn.QK").toDoubles(), model.get("blocks.0.attn.QK").toDoubles()),
                "step 0 is the initial model, not the trained one");
    }

    @Test
    void a_run_resumed_after_cancelling_ends_with_the_same_series_byte_for_byte() throws Exception {
        Path whole = run("whole", "every:10", -1);
        Path cut = run("cut", "every:10", 15);
        RunResult r = PipelineRunner.resume(Resumption.of(cut, ContributionRegistry.load()), RunListener.SILENT);
        assertEquals(RunStatus.OK, r.status(), r.cause());
        assertEquals(files(whole.resolve("ckpt")), files(cut.resolve("ckpt")));
        for (String f : files(whole.resolve("ckpt"))) {
            assertArrayEquals(Files.readAllBytes(whole.resolve("ckpt").resolve(f)), Files.readAllBytes(cut.resolve("ckpt").resolve(f)), f);
        }
    }
}
