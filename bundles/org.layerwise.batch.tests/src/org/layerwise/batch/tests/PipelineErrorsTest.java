package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.runner.ExitCode;

/** Section 6 of the foundation issue: every kind of bad input has its message and exit code. */
class PipelineErrorsTest {

    @TempDir
    Path dir;

    @Test
    void malformed_xml_names_the_file_and_line_with_exit_code_3() throws Exception {
        Path f = dir.resolve("broken.layerwise");
        Files.writeString(f, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="x">
                  <stages role="task" contribution="linear">
                </layerwise:Pipeline>
                """);
        Outcome o = CliHarness.run("validate", f.toString());
        assertEquals(ExitCode.MALFORMED_PIPELINE.code, o.exitCode(), o.toString());
        assertTrue(o.err().contains("broken.layerwise:4"), o.toString());
        Outcome missing = CliHarness.run("run", dir.resolve("nope.layerwise").toString(), "--out", dir.toString());
        assertEquals(ExitCode.MALFORMED_PIPELINE.code, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("nope.layerwise"), missing.toString());
    }

    @Test
    void unknown_contribution_lists_the_known_ids_with_exit_code_4() throws Exception {
        Path f = CliHarness.pipeline(dir, "unknown", CliHarness.TINY_TASK + """
                  <stages role="backend" contribution="softmax-atention"/>""");
        Outcome o = CliHarness.run("validate", f.toString());
        assertEquals(ExitCode.UNKNOWN_CONTRIBUTION.code, o.exitCode(), o.toString());
        assertTrue(o.err().contains("unknown.layerwise:"), o.toString());
        assertTrue(o.err().contains("no model backend with id 'softmax-atention' is installed; known ids: "), o.toString());
        String known = o.err().substring(o.err().indexOf("known ids: ")).lines().findFirst().orElse("");
        assertTrue(List.of(known.substring("known ids: ".length()).split(", ")).containsAll(List.of("softmax-attention", "file",
                "linear-attention")), known);
    }

    @Test
    void setting_out_of_range_names_stage_setting_and_range_with_exit_code_5() throws Exception {
        Path f = CliHarness.pipeline(dir, "range", CliHarness.TINY_TASK.replace("value=\"3\"", "value=\"1\"")
                + CliHarness.TINY_BACKEND);
        Outcome o = CliHarness.run("validate", f.toString());
        assertEquals(ExitCode.INVALID_SETTING.code, o.exitCode(), o.toString());
        assertTrue(o.err().contains("range.layerwise:3: stage 1 (task 'linear'), setting 'C': 1 is out of range; expected in [2, 64]"),
                o.toString());
    }

    @Test
    void command_line_overrides_are_validated_like_the_file() throws Exception {
        Path f = CliHarness.pipeline(dir, "ok", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND + CliHarness.ABSTRACTION);
        assertEquals(0, CliHarness.run("validate", f.toString()).exitCode());
        Outcome bad = CliHarness.run("validate", f.toString(), "--set", "backend.lr=-1");
        assertEquals(ExitCode.INVALID_SETTING.code, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("setting 'lr': -1 is out of range"), bad.toString());
        Outcome unknownStage = CliHarness.run("validate", f.toString(), "--set", "enforcer.factor=both");
        assertEquals(ExitCode.INVALID_SETTING.code, unknownStage.exitCode(), unknownStage.toString());
        assertTrue(unknownStage.err().contains("no stage 'enforcer'"), unknownStage.toString());
        Outcome typo = CliHarness.run("validate", f.toString(), "--set", "weight-abstraction.drawz=3");
        assertEquals(ExitCode.INVALID_SETTING.code, typo.exitCode(), typo.toString());
        assertTrue(typo.err().contains("unknown setting 'drawz'; known settings: draws, prompts"), typo.toString());
        assertEquals(ExitCode.USAGE.code, CliHarness.run("validate", f.toString(), "--set", "nonsense").exitCode());
    }

    @Test
    void a_pipeline_without_backend_is_incompatible_with_exit_code_6() throws Exception {
        Path f = CliHarness.pipeline(dir, "nobackend", CliHarness.TINY_TASK + CliHarness.ABSTRACTION);
        Outcome o = CliHarness.run("validate", f.toString());
        assertEquals(ExitCode.INCOMPATIBLE_STAGES.code, o.exitCode(), o.toString());
        assertTrue(o.err().contains("a pipeline needs exactly one backend stage, found 0"), o.toString());
    }

    @Test
    void a_sequence_task_with_an_in_context_backend_is_incompatible_with_exit_code_6() throws Exception {
        String task = """
                  <stages role="task" contribution="modular-arithmetic">
                    <settings key="p" value="7"/>
                  </stages>""";
        for (String backend : new String[] {"softmax-attention", "linear-attention"}) {
            Path f = CliHarness.pipeline(dir, "sequence-" + backend, task + "\n  <stages role=\"backend\" contribution=\"" + backend
                    + "\"/>");
            Outcome o = CliHarness.run("validate", f.toString());
            assertEquals(ExitCode.INCOMPATIBLE_STAGES.code, o.exitCode(), o.toString());
            assertTrue(o.err().contains("(backend '" + backend + "'): " + backend + " "), o.toString());
            assertTrue(o.err().contains("the task produces kind 'sequence' (token sequences, not in-context prompts)"), o.toString());
        }
        // file loads transformers for sequence tasks, so without a model it asks for one
        Path file = CliHarness.pipeline(dir, "sequence-file", task + "\n  <stages role=\"backend\" contribution=\"file\"/>");
        Outcome noModel = CliHarness.run("validate", file.toString());
        assertEquals(ExitCode.INVALID_SETTING.code, noModel.exitCode(), noModel.toString());
        assertTrue(noModel.err().contains("no model given"), noModel.toString());
        Path f = CliHarness.pipeline(dir, "sequence-p", task.replace("value=\"7\"", "value=\"8\"") + CliHarness.TINY_BACKEND);
        Outcome notPrime = CliHarness.run("validate", f.toString());
        assertEquals(ExitCode.INVALID_SETTING.code, notPrime.exitCode(), notPrime.toString());
        assertTrue(notPrime.err().contains("setting 'p': 8 is not prime"), notPrime.toString());
        assertTrue(notPrime.err().contains("the nearest primes are 7 and 11"), notPrime.toString());
    }

    @Test
    void a_factored_model_refuses_enforcers_that_edit_merged_weights_with_exit_code_6() throws Exception {
        Path f = CliHarness.pipeline(dir, "factored", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND);
        for (String enforcer : new String[] {"projection", "tied"}) {
            Path p = CliHarness.pipeline(dir, "factored-" + enforcer, CliHarness.TINY_TASK + CliHarness.TINY_BACKEND
                    + "\n  <stages role=\"enforcer\" contribution=\"" + enforcer + "\"/>");
            Outcome o = CliHarness.run("validate", p.toString(), "--set", "backend.parameterization=factored");
            assertEquals(ExitCode.INCOMPATIBLE_STAGES.code, o.exitCode(), o.toString());
            assertTrue(o.err().contains("enforcer '" + enforcer + "' constrains the merged QK and OV directly"), o.toString());
            assertEquals(0, CliHarness.run("validate", p.toString()).exitCode(), "merged is fine with " + enforcer);
        }
        assertEquals(0, CliHarness.run("validate", f.toString(), "--set", "backend.parameterization=factored",
                "--set", "backend.d_head=3").exitCode());
        Outcome merged = CliHarness.run("validate", f.toString(), "--set", "backend.d_head=3");
        assertEquals(ExitCode.INVALID_SETTING.code, merged.exitCode(), merged.toString());
        assertTrue(merged.err().contains("setting 'd_head': d_head applies to parameterization = factored only"), merged.toString());
    }

    @Test
    void an_unwritable_output_directory_fails_before_training_with_exit_code_7() throws Exception {
        Path f = CliHarness.pipeline(dir, "out", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND);
        Path blocker = dir.resolve("a-file");
        Files.writeString(blocker, "not a directory");
        Outcome o = CliHarness.run("run", f.toString(), "--out", blocker.resolve("runs").toString());
        assertEquals(ExitCode.OUTPUT_NOT_WRITABLE.code, o.exitCode(), o.toString());
        assertTrue(o.err().contains("output directory " + blocker.resolve("runs")), o.toString());
        assertFalse(o.err().contains("training step"), "nothing may be computed: " + o);
    }

    @Test
    void list_shows_every_contribution_with_settings_defaults_and_ranges() {
        Outcome o = CliHarness.run("list");
        assertEquals(0, o.exitCode(), o.toString());
        for (String expected : new String[] {"linear", "softmax-attention", "none", "random-conjugation", "weight-abstraction",
                "default 8", "in [1, 256]", "one of both, features, labels"}) {
            assertTrue(o.out().contains(expected), "missing '" + expected + "' in\n" + o.out());
        }
    }
}
