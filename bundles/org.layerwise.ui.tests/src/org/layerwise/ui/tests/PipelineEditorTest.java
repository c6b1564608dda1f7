package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.pipeline.PipelineFiles;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineProblem;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.ui.editor.PipelineDocument;
import org.layerwise.ui.editor.PipelineForm;

/** The pipeline editor on the quickstart: settings form, live validation, undo/redo, dirty, save. */
class PipelineEditorTest extends ShellTest {


    private PipelineForm open(PipelineDocument doc) {
        shell = Ui.shell("Pipeline editor: " + doc.pipeline().getName());
        PipelineForm form = new PipelineForm(shell, doc);
        shell.open();
        Ui.flush();
        return form;
    }

    @Test
    void outOfRangeValueIsShownAtItsFieldWithTheValidatorsMessageAndUndoRemovesIt() throws Exception {
        ContributionRegistry registry = ContributionRegistry.load();
        Path file = Ui.home().resolve("examples/quickstart.layerwise");
        PipelineDocument doc = PipelineDocument.open(file, registry);
        PipelineForm form = open(doc);
        assertEquals(List.of(), doc.problems());
        assertEquals(4, form.stageTitles().size());
        assertTrue(form.stageTitles().get(1).startsWith("2. backend: softmax-attention"), form.stageTitles().toString());

        Text layers = (Text) form.field(1, "layers");
        assertEquals("4", layers.getText());
        assertTrue(layers.getToolTipText().contains("in [1, 64]"), layers.getToolTipText());
        Text heads = (Text) form.field(1, "heads");
        assertEquals("", heads.getText(), "a setting not in the file shows its default greyed, not as a value");
        assertEquals("1", heads.getMessage());
        assertTrue(form.field(1, "keys") instanceof Combo);

        layers.setText("0");
        Ui.flush();
        String expected = validatorMessage(doc, "layers");
        assertEquals(expected, form.problemAt(1, "layers"));
        assertTrue(expected.contains("out of range"), expected);
        assertNull(form.problemAt(1, "steps"));
        assertTrue(doc.isDirty());
        Ui.screenshot(shell, "editor-validation");

        doc.commandStack().undo();
        Ui.flush();
        assertEquals("4", layers.getText());
        assertNull(form.problemAt(1, "layers"));
        assertFalse(doc.isDirty());
        assertEquals(List.of(), doc.problems());

        doc.commandStack().redo();
        Ui.flush();
        assertEquals("0", layers.getText());
        assertEquals(expected, form.problemAt(1, "layers"));
        doc.commandStack().undo();
        Ui.flush();
        assertNull(form.problemAt(1, "layers"));
    }

    /** What `layerwise validate` says about the document's pipeline at this backend setting. */
    private static String validatorMessage(PipelineDocument doc, String setting) {
        try {
            new PipelineValidator(ContributionRegistry.load()).validate(doc.spec());
        } catch (PipelineException e) {
            for (PipelineProblem p : e.problems()) {
                if (setting.equals(p.setting())) {
                    return p.message();
                }
            }
        }
        fail("the validator found nothing wrong with " + setting);
        return null;
    }

    @Test
    void stagesAreAddedReorderedRemovedAndSavedAtomically(@TempDir Path dir) throws Exception {
        ContributionRegistry registry = ContributionRegistry.load();
        PipelineDocument doc = PipelineDocument.open(Ui.home().resolve("examples/quickstart.layerwise"), registry);
        PipelineForm form = open(doc);

        for (Role role : Role.values()) {
            assertFalse(registry.all(role).isEmpty(), "no " + role.label + " to add");
        }
        doc.addStage(Role.ANALYZER, "baselines");
        doc.addStage(Role.ANALYZER, "layer-dynamics");
        Ui.flush();
        assertEquals(6, form.stageTitles().size());
        assertTrue(form.stageTitles().get(4).startsWith("5. analyzer: baselines"), form.stageTitles().toString());
        doc.moveStage(doc.pipeline().getStages().get(5), 4);
        Ui.flush();
        assertTrue(form.stageTitles().get(4).startsWith("5. analyzer: layer-dynamics"), form.stageTitles().toString());
        doc.removeStage(doc.pipeline().getStages().get(5));
        Ui.flush();
        assertEquals(5, form.stageTitles().size());

        // The enforcer before the task still validates by role; a second task does not.
        doc.addStage(Role.TASK, "linear");
        Ui.flush();
        assertTrue(form.pipelineProblem().contains("exactly one task stage"), form.pipelineProblem());
        doc.commandStack().undo();
        Ui.flush();
        assertEquals("", form.pipelineProblem());

        Path saved = dir.resolve("edited.layerwise");
        doc.save(saved);
        assertFalse(doc.isDirty());
        assertEquals(PipelineFiles.toXml(doc.pipeline()), Files.readString(saved));
        assertEquals(List.of("task", "backend", "enforcer", "analyzer", "analyzer"),
                PipelineFiles.load(saved).getStages().stream().map(s -> s.getRole().getLiteral()).toList());
        assertEquals("layer-dynamics", PipelineFiles.load(saved).getStages().get(4).getContribution());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(saved), s.toList(), "no temporary file is left next to the saved pipeline");
        }
        Ui.screenshot(shell, "editor-stages");
    }
}
