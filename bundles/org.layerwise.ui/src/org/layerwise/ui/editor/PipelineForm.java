package org.layerwise.ui.editor;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.ScrolledComposite;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.Text;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.Role;
import org.layerwise.pipeline.model.Stage;
import org.layerwise.runner.PipelineProblem;

/**
 * The editing surface of a pipeline: name and seed, the stages in order, each with a form
 * generated from its contribution's settings, and the validator's messages at the fields
 * they concern. Every edit goes through {@link PipelineDocument} as one undoable command.
 */
public final class PipelineForm extends Composite {

    private final PipelineDocument document;
    private final Text name;
    private final Text seed;
    private final Label pipelineProblem;
    private final ScrolledComposite scroller;
    private final Composite stagesArea;
    private final List<StageSection> sections = new ArrayList<>();
    private final Runnable listener = this::refresh;
    private boolean updating;

    public PipelineForm(Composite parent, PipelineDocument document) {
        super(parent, SWT.NONE);
        this.document = document;
        setLayout(new GridLayout(1, false));

        Composite header = new Composite(this, SWT.NONE);
        header.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        header.setLayout(new GridLayout(5, false));
        new Label(header, SWT.NONE).setText("Name");
        name = new Text(header, SWT.BORDER);
        name.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        name.setToolTipText("Shown in run directories and run records");
        name.addListener(SWT.Modify, e -> {
            if (!updating) {
                document.setName(name.getText());
            }
        });
        new Label(header, SWT.NONE).setText("Seed");
        seed = new Text(header, SWT.BORDER);
        GridData sd = new GridData(SWT.LEFT, SWT.CENTER, false, false);
        sd.widthHint = 100;
        seed.setLayoutData(sd);
        seed.setToolTipText("The master seed from which every stage's random stream is derived (an integer)");
        seed.addListener(SWT.Modify, e -> {
            if (!updating) {
                try {
                    document.setSeed(Long.parseLong(seed.getText().trim()));
                    seed.setBackground(null);
                } catch (NumberFormatException ex) {
                    seed.setBackground(SettingField.INVALID);
                }
            }
        });
        Button add = new Button(header, SWT.PUSH);
        add.setText("Add stage...");
        add.setToolTipText("Add a stage from any installed contribution");
        Menu addMenu = addMenu(add);
        add.addListener(SWT.Selection, e -> {
            Rectangle r = add.getBounds();
            addMenu.setLocation(add.getParent().toDisplay(r.x, r.y + r.height));
            addMenu.setVisible(true);
        });

        pipelineProblem = new Label(this, SWT.WRAP);
        pipelineProblem.setForeground(getDisplay().getSystemColor(SWT.COLOR_RED));
        GridData pd = new GridData(SWT.FILL, SWT.TOP, true, false);
        pd.widthHint = 300;
        pipelineProblem.setLayoutData(pd);

        scroller = new ScrolledComposite(this, SWT.V_SCROLL | SWT.H_SCROLL);
        scroller.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        scroller.setExpandHorizontal(true);
        scroller.setExpandVertical(true);
        stagesArea = new Composite(scroller, SWT.NONE);
        stagesArea.setLayout(new GridLayout(1, false));
        scroller.setContent(stagesArea);
        scroller.addListener(SWT.Resize, e -> updateScroller());

        document.addListener(listener);
        addDisposeListener(e -> document.removeListener(listener));
        refresh();
    }

    private Menu addMenu(Button owner) {
        Menu menu = new Menu(owner);
        for (Role role : Role.values()) {
            MenuItem cascade = new MenuItem(menu, SWT.CASCADE);
            cascade.setText(role.label.substring(0, 1).toUpperCase() + role.label.substring(1));
            Menu sub = new Menu(cascade);
            cascade.setMenu(sub);
            for (ContributionDescriptor d : document.registry().all(role)) {
                MenuItem item = new MenuItem(sub, SWT.PUSH);
                item.setText(d.id() + (d.name().equals(d.id()) ? "" : "  (" + d.name() + ")"));
                item.addListener(SWT.Selection, e -> document.addStage(role, d.id()));
            }
        }
        return menu;
    }

    public PipelineDocument document() {
        return document;
    }

    /** Brings every widget in line with the model and the validator's current problems. */
    public void refresh() {
        if (isDisposed()) {
            return;
        }
        updating = true;
        try {
            String n = document.pipeline().getName() == null ? "" : document.pipeline().getName();
            if (!n.equals(name.getText())) {
                name.setText(n);
            }
            String s = Long.toString(document.pipeline().getSeed());
            if (!s.equals(seed.getText().trim()) && !seed.isFocusControl()) {
                seed.setText(s);
            }
        } finally {
            updating = false;
        }
        boolean relayout = false;
        if (!sameStages()) {
            sections.forEach(sec -> sec.control().dispose());
            sections.clear();
            List<Stage> stages = document.pipeline().getStages();
            for (int i = 0; i < stages.size(); i++) {
                sections.add(new StageSection(stagesArea, document, stages.get(i), i));
            }
            relayout = true;
        } else {
            for (int i = 0; i < sections.size(); i++) {
                relayout |= sections.get(i).refresh(document, i);
            }
        }
        StringBuilder general = new StringBuilder();
        for (PipelineProblem p : document.problems()) {
            if (p.stage() < 0) {
                general.append(general.length() == 0 ? "" : "\n").append(p.message());
            }
        }
        if (!general.toString().equals(pipelineProblem.getText())) {
            pipelineProblem.setText(general.toString());
            relayout = true;
        }
        if (relayout) {
            stagesArea.layout(true, true);
            layout(true, true);
            updateScroller();
        }
    }

    /** Same stages, same order, same contributions as the sections show. */
    private boolean sameStages() {
        List<Stage> stages = document.pipeline().getStages();
        if (stages.size() != sections.size()) {
            return false;
        }
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i) != sections.get(i).stage() || !sections.get(i).control().getText().startsWith((i + 1) + ". ")) {
                return false;
            }
        }
        return true;
    }

    private void updateScroller() {
        Rectangle area = scroller.getClientArea();
        Point size = stagesArea.computeSize(Math.max(area.width, 300), SWT.DEFAULT);
        scroller.setMinSize(size);
    }

    // ---- read-back for tests and for the editor's status ----

    /** The input widget of a setting of the stage at this position. */
    public org.eclipse.swt.widgets.Control field(int stage, String setting) {
        SettingField f = sections.get(stage).field(setting);
        return f == null ? null : f.input();
    }

    /** The validation message shown at a setting, or null. */
    public String problemAt(int stage, String setting) {
        SettingField f = sections.get(stage).field(setting);
        return f == null ? null : f.problem();
    }

    /** The message shown for a stage as a whole, or null. */
    public String stageProblem(int stage) {
        return sections.get(stage).problem();
    }

    /** The messages about the pipeline as a whole ("" when none). */
    public String pipelineProblem() {
        return pipelineProblem.getText();
    }

    /** The headers of the stage sections, in order. */
    public List<String> stageTitles() {
        return sections.stream().map(s -> s.control().getText()).toList();
    }
}
