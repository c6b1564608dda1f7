package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Control;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.layerwise.analysis.dynamics.ui.LayerDynamicsPanel;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Csv;
import org.layerwise.ui.results.Focus;
import org.layerwise.ui.results.ResultView;
import org.layerwise.ui.results.ResultViewHost;
import org.layerwise.ui.results.ResultViews;
import org.layerwise.ui.results.RunPanel;

/**
 * org.layerwise.ui.resultViews: this fragment contributes a view bound to my-probe's table and
 * deliberately broken views. The bound view shows a run with the table and says which analyzer's
 * output a run without it lacks; every broken one is reported naming bundle, extension point and
 * id while the views beside it go on showing runs.
 */
class ResultViewBindingTest extends CompletedRunTest {

    private static final String ORIGIN = "bundle org.layerwise.ui, extension point org.layerwise.ui.resultViews, id ";

    /** A run without my-probe. */
    private static Path plain;
    private static ResultViews views;
    private static ContributionRegistry registry;

    @BeforeAll
    static void runs() throws Exception {
        registry = ContributionRegistry.load();
        views = ResultViews.load();
        run = Ui.completedRun(16, doc -> {
            doc.setSetting(doc.pipeline().getStages().get(1), "steps", "20");
            doc.addStage(Role.ANALYZER, "my-probe");
        });
        plain = Ui.completedRun(16, doc -> doc.setSetting(doc.pipeline().getStages().get(1), "steps", "20"));
    }

    @AfterAll
    static void deletePlain() throws Exception {
        Ui.delete(plain);
    }

    private static ResultView view(String id) {
        ResultView v = views.find(id);
        assertNotNull(v, id + " is registered: " + views.views().stream().map(ResultView::id).toList());
        return v;
    }

    @Test
    void the_registry_reads_every_contribution_built_in_first_and_reports_the_malformed_ones() {
        ResultView probe = view("org.layerwise.ui.tests.probeNorm");
        assertEquals("org.layerwise.ui", probe.bundle(), "a fragment's contribution is named after its host");
        assertEquals(List.of(new ResultView.Read("my-probe", "my-probe", "table", true),
                new ResultView.Read("my-probe", "my-probe", "tensors", false)), probe.reads());
        // the companions' views, in their declared order, with the probe's (order 5) first
        List<String> ids = views.views().stream().map(ResultView::id).toList();
        int probeAt = ids.indexOf(probe.id());
        int training = ids.indexOf("org.layerwise.analysis.learning.ui.trainingDynamics");
        int layers = ids.indexOf("org.layerwise.analysis.dynamics.ui.layerDynamics");
        int recursion = ids.indexOf("org.layerwise.analysis.recursion.ui.recursion");
        assertTrue(probeAt == 0 && probeAt < training && training < layers && layers < recursion, "order: " + ids);
        assertEquals(List.of(new ResultView.Read("layer-dynamics", "layer-dynamics", "table", true)),
                view("org.layerwise.analysis.dynamics.ui.layerDynamics").reads());
        // Training Dynamics reads the modular analyzers' declared outputs too (a wrong name would be a problem below)
        List<ResultView.Read> trainingReads = view("org.layerwise.analysis.learning.ui.trainingDynamics").reads();
        assertTrue(trainingReads.containsAll(List.of(new ResultView.Read("generalization", "generalization", "scalars", false),
                new ResultView.Read("fourier", "fourier", "table", false))), "Training Dynamics reads " + trainingReads);

        assertEquals(null, views.find("org.layerwise.ui.tests.noClass"), "a contribution without a class is skipped");
        assertTrue(views.problems().stream().anyMatch(p -> p.startsWith(ORIGIN + "'org.layerwise.ui.tests.noClass'")
                && p.contains("has no class") && p.endsWith("contribution skipped")), "problems: " + views.problems());
        assertTrue(views.problems().stream().anyMatch(p -> p.startsWith(ORIGIN + "'org.layerwise.ui.tests.undeclaredRead'")
                && p.contains("my-probe-extra") && p.contains("does not declare")), "problems: " + views.problems());
        assertEquals(2, views.problems().size(), "only the two malformed contributions: " + views.problems());
    }

    @Test
    void the_bound_view_shows_a_run_with_the_output_and_names_the_missing_output_otherwise() throws Exception {
        shell = Ui.shell("Probe Norm");
        ResultView v = view("org.layerwise.ui.tests.probeNorm");
        ProbeNormPanel panel = assertInstanceOf(ProbeNormPanel.class, ResultViewHost.create(v, shell));
        shell.open();

        ResultViewHost.show(v, panel, run, registry);
        Ui.flush();
        Csv.Table t = Csv.read(run.resolve("my-probe.csv"));
        int last = -1;
        String value = null;
        for (int r = 0; r < t.size(); r++) {
            if (t.get(r, "measure").equals("probe_norm") && Integer.parseInt(t.get(r, "layer")) > last) {
                last = Integer.parseInt(t.get(r, "layer"));
                value = t.get(r, "value");
            }
        }
        assertEquals(4, last, "the quickstart model has 4 blocks: layers 0..4");
        assertEquals("probe norm at layer 4: " + value, panel.text().getText());
        assertEquals(1, panel.shown());
        assertTrue(panel.heading().startsWith(run.getFileName() + "  [OK]"), panel.heading());
        assertTrue(panel.text().isVisible());

        ResultViewHost.show(v, panel, plain, registry);
        Ui.flush();
        assertEquals(1, panel.shown(), "a run without the required table never reaches the panel");
        assertTrue(panel.heading().startsWith(plain.getFileName() + "  [OK]: Probe Norm needs the table 'my-probe' (my-probe.csv) "
                + "of analyzer 'my-probe', which this run lacks: add the analyzer 'my-probe' (My probe, bundle org.layerwise.ui) to the pipeline"),
                panel.heading());
        assertFalse(panel.text().isVisible(), "the previous run's content is hidden");
        Ui.screenshot(shell, "result-view-missing-output");

        ResultViewHost.show(v, panel, run, registry);
        Ui.flush();
        assertEquals(2, panel.shown());
        assertTrue(panel.text().isVisible(), "shown again for a run with the table");
        assertEquals("probe norm at layer 4: " + value, panel.text().getText());
    }

    @Test
    void a_broken_contribution_is_reported_with_bundle_extension_point_and_id_and_the_other_views_still_work() throws Exception {
        shell = Ui.shell("Broken run views beside working ones");
        shell.setLayout(new GridLayout(2, true));
        Map<String, RunPanel> panels = new LinkedHashMap<>();
        for (String id : List.of("org.layerwise.ui.tests.overflowing", "org.layerwise.ui.tests.failingConstructor",
                "org.layerwise.ui.tests.missingClass", "org.layerwise.ui.tests.notAPanel", "org.layerwise.ui.tests.probeNorm",
                "org.layerwise.analysis.dynamics.ui.layerDynamics")) {
            panels.put(id, ResultViewHost.create(view(id), shell));
        }
        for (Control c : shell.getChildren()) {
            assertTrue(panels.containsValue(c), "nothing a failed constructor made is left behind: " + c);
            c.setLayoutData(new org.eclipse.swt.layout.GridData(SWT.FILL, SWT.FILL, true, true));
        }
        shell.open();
        panels.forEach((id, p) -> ResultViewHost.show(view(id), p, run, registry));
        Ui.flush();

        String overflow = panels.get("org.layerwise.ui.tests.overflowing").heading();
        assertTrue(overflow.contains(ORIGIN + "'org.layerwise.ui.tests.overflowing'") && overflow.contains("failed to show this run")
                && overflow.contains("StackOverflowError"), overflow);
        assertProblem(panels, "org.layerwise.ui.tests.failingConstructor", "IllegalStateException: no settings for the probe view");
        assertProblem(panels, "org.layerwise.ui.tests.missingClass", "ClassNotFoundException");
        assertProblem(panels, "org.layerwise.ui.tests.notAPanel", "org.layerwise.ui.tests.MyProbe is not a "
                + RunPanel.class.getName());

        ProbeNormPanel probe = (ProbeNormPanel) panels.get("org.layerwise.ui.tests.probeNorm");
        assertEquals(1, probe.shown(), "the view beside the broken ones shows the run");
        assertTrue(probe.text().getText().startsWith("probe norm at layer 4: "), probe.text().getText());
        // a built-in companion's view, contributed the same way, says what this run lacks
        RunPanel layers = panels.get("org.layerwise.analysis.dynamics.ui.layerDynamics");
        assertInstanceOf(LayerDynamicsPanel.class, layers);
        assertTrue(layers.heading().contains("Layer Dynamics needs the table 'layer-dynamics' (layer-dynamics.csv) of analyzer "
                + "'layer-dynamics', which this run lacks: add the analyzer 'layer-dynamics' (Layer dynamics, bundle org.layerwise.analysis.dynamics) "
                + "to the pipeline"), layers.heading());
        Ui.screenshot(shell, "result-views-broken-beside-working");

        // and the broken one does not stop the next run from showing either
        ResultViewHost.show(view("org.layerwise.ui.tests.probeNorm"), probe, run, registry);
        assertEquals(2, probe.shown());
    }

    @Test
    void a_view_whose_focus_listener_throws_does_not_stop_the_others_following() {
        List<Focus.State> heard = new ArrayList<>();
        Focus.Listener broken = (state, source) -> {
            throw new IllegalStateException("a broken view's listener");
        };
        Focus.Listener working = (state, source) -> heard.add(state);
        Focus.add(broken);
        Focus.add(working);
        try {
            Focus.layer(2, this);
        } finally {
            Focus.remove(broken);
            Focus.remove(working);
        }
        assertEquals(List.of(new Focus.State(2, 0, 0, 0)), heard, "the listener after the broken one hears the change");
        assertEquals(2, Focus.get().layer());
    }

    private static void assertProblem(Map<String, RunPanel> panels, String id, String cause) {
        ResultViewHost.ProblemPanel p = assertInstanceOf(ResultViewHost.ProblemPanel.class, panels.get(id), id);
        assertTrue(p.problem().contains(ORIGIN + "'" + id + "'") && p.problem().contains("cannot create its panel")
                && p.problem().contains(cause), p.problem());
        assertTrue(p.heading().startsWith(run.getFileName().toString()), "it still follows the run: " + p.heading());
    }
}
