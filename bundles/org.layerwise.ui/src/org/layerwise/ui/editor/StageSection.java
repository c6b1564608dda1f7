package org.layerwise.ui.editor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.SettingSpec;
import org.layerwise.pipeline.model.Stage;
import org.layerwise.runner.PipelineProblem;

/** One stage in the editor: its header with move/remove buttons and the generated settings form. */
final class StageSection {

    private final Stage stage;
    private final Group group;
    private final Label problem;
    private final Map<String, SettingField> fields = new LinkedHashMap<>();

    StageSection(Composite parent, PipelineDocument document, Stage stage, int index) {
        this.stage = stage;
        ContributionDescriptor d = document.descriptor(stage);
        group = new Group(parent, SWT.NONE);
        group.setText((index + 1) + ". " + stage.getRole().getLiteral() + ": " + stage.getContribution()
                + (d == null || d.name().equals(d.id()) ? "" : " (" + d.name() + ")"));
        group.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        group.setLayout(new GridLayout(3, false));

        Composite buttons = new Composite(group, SWT.NONE);
        buttons.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1));
        buttons.setLayout(new GridLayout(4, false));
        Label description = new Label(buttons, SWT.WRAP);
        GridData dd = new GridData(SWT.FILL, SWT.CENTER, true, false);
        dd.widthHint = 200;
        description.setLayoutData(dd);
        description.setText(d == null ? "" : d.description());
        button(buttons, "Up", "Run this stage earlier", () -> document.moveStage(stage, index - 1));
        button(buttons, "Down", "Run this stage later", () -> document.moveStage(stage, index + 1));
        button(buttons, "Remove", "Remove this stage from the pipeline", () -> document.removeStage(stage));

        problem = new Label(group, SWT.WRAP);
        problem.setForeground(group.getDisplay().getSystemColor(SWT.COLOR_RED));
        GridData pd = new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1);
        pd.widthHint = 300;
        pd.exclude = true;
        problem.setLayoutData(pd);
        problem.setVisible(false);

        if (d != null) {
            for (SettingSpec spec : d.settings()) {
                fields.put(spec.name(), new SettingField(group, spec, v -> document.setSetting(stage, spec.name(), v)));
            }
        }
        refresh(document, index);
    }

    private static void button(Composite parent, String text, String tip, Runnable action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        b.setToolTipText(tip);
        b.addListener(SWT.Selection, e -> action.run());
    }

    Stage stage() {
        return stage;
    }

    Group control() {
        return group;
    }

    SettingField field(String setting) {
        return fields.get(setting);
    }

    String problem() {
        return problem.getVisible() ? problem.getText() : null;
    }

    /** Shows the model's values and the current problems; true when the layout must be redone. */
    boolean refresh(PipelineDocument document, int index) {
        boolean relayout = false;
        for (SettingField f : fields.values()) {
            f.show(PipelineDocument.value(stage, f.spec().name()));
            relayout |= f.showProblem(join(document.problemsAt(index, f.spec().name())));
        }
        // Problems of the stage as a whole, and of settings it does not declare (typos in the file).
        StringBuilder rest = new StringBuilder();
        for (PipelineProblem p : document.problems()) {
            if (p.stage() == index && (p.setting() == null || !fields.containsKey(p.setting()))) {
                rest.append(rest.length() == 0 ? "" : "\n").append(p.message());
            }
        }
        String m = rest.length() == 0 ? null : rest.toString();
        if (!String.valueOf(m).equals(String.valueOf(problem()))) {
            problem.setText(m == null ? "" : m);
            problem.setVisible(m != null);
            ((GridData) problem.getLayoutData()).exclude = m == null;
            relayout = true;
        }
        return relayout;
    }

    private static String join(List<PipelineProblem> problems) {
        if (problems.isEmpty()) {
            return null;
        }
        return String.join("\n", problems.stream().map(PipelineProblem::message).toList());
    }
}
