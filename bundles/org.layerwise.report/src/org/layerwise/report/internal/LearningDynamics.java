package org.layerwise.report.internal;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.layerwise.io.Csv;
import org.layerwise.runner.RunDirectory;

/** The learning-dynamics analyzer's tables as the paper B report reads them, exactly as the run wrote them. */
final class LearningDynamics {

    static final String ANALYZER = "learning-dynamics";

    /** One row of learning-dynamics-modes.csv. */
    record Mode(int mode, double s, double tau, double aInf, double c0, double halfSimulated, double halfClosed) {
    }

    /** One row of learning-dynamics.csv: a mode at a checkpoint. */
    record Point(long step, int mode, double aSimulated, double aClosed, double deviation, double c) {
    }

    private LearningDynamics() {
    }

    static List<Mode> modes(RunDirectory run) throws IOException {
        return Measures.rows(run, "learning-dynamics-modes", (m, i) -> new Mode(Integer.parseInt(m.get(i, "mode")),
                Csv.parseDouble(m.get(i, "s")), Csv.parseDouble(m.get(i, "tau")), Csv.parseDouble(m.get(i, "a_inf")),
                Csv.parseDouble(m.get(i, "c0")), Csv.parseDouble(m.get(i, "half_step_simulated")),
                Csv.parseDouble(m.get(i, "half_step_closed"))));
    }

    static List<Point> points(RunDirectory run) throws IOException {
        return Measures.rows(run, "learning-dynamics", (m, i) -> new Point(Long.parseLong(m.get(i, "step")),
                Integer.parseInt(m.get(i, "mode")), Csv.parseDouble(m.get(i, "a_simulated")), Csv.parseDouble(m.get(i, "a_closed")),
                Csv.parseDouble(m.get(i, "deviation")), Csv.parseDouble(m.get(i, "c"))));
    }

    static Optional<Double> scalar(RunDirectory run, String key) {
        return run == null ? Optional.empty() : run.scalar(ANALYZER, key);
    }

    /** A backend setting of the run as a number (eta, steps); NaN when absent. */
    static double backend(RunDirectory run, String key) {
        return run.stage("backend").map(s -> ReportPages.number(s.settings().get(key))).orElse(Double.NaN);
    }
}
