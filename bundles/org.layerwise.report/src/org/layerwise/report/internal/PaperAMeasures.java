package org.layerwise.report.internal;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.layerwise.io.Csv;
import org.layerwise.report.internal.Measures.Interval;
import org.layerwise.runner.RunDirectory;

/** The tables paper A's claims and figures are about, read exactly as the runs wrote them. */
final class PaperAMeasures {

    /** One row of layer-dynamics.csv, for one source, block and measure. */
    record LayerValue(int layer, Interval value) {
    }

    /** One layer and head of coupled-mean-shift-coefficients.csv. */
    record Coefficients(int layer, int head, double[] scalars) {
    }

    /** The twelve scalars in the column order of coupled-mean-shift-coefficients.csv. */
    static final List<String> TWELVE = List.of("q_a", "q_b", "q_f", "q_g", "q_c", "q_e", "v_a", "v_b", "v_f", "v_g", "v_c", "v_e");

    static final List<String> REDUCED = List.of("alpha", "beta", "gamma", "delta");

    private PaperAMeasures() {
    }

    /** baselines.csv row of one method (model, soft_nn, ncm, logistic). */
    static Optional<Interval> accuracy(RunDirectory run, String method) throws IOException {
        Optional<Csv.Table> t = Optional.ofNullable(run.table("baselines"));
        if (t.isEmpty()) {
            return Optional.empty();
        }
        Csv.Table table = t.get();
        for (int i = 0; i < table.size(); i++) {
            if (method.equals(table.get(i, "method"))) {
                return Optional.of(new Interval(Csv.parseDouble(table.get(i, "accuracy")), Csv.parseDouble(table.get(i, "low")),
                        Csv.parseDouble(table.get(i, "high"))));
            }
        }
        return Optional.empty();
    }

    /** Per-layer values of a layer-dynamics measure (head "-" or "mean"), in layer order. */
    static List<LayerValue> perLayer(RunDirectory run, String source, String measure, String block) throws IOException {
        List<LayerValue> out = Measures.rows(run, "layer-dynamics", (table, i) -> {
            String head = table.get(i, "head");
            return source.equals(table.get(i, "source")) && measure.equals(table.get(i, "measure"))
                    && block.equals(table.get(i, "block")) && (head.equals("-") || head.equals("mean"))
                            ? new LayerValue(Integer.parseInt(table.get(i, "layer")), new Interval(Csv.parseDouble(table.get(i, "mean")),
                                    Csv.parseDouble(table.get(i, "low")), Csv.parseDouble(table.get(i, "high"))))
                            : null;
        });
        out.sort((a, b) -> Integer.compare(a.layer(), b.layer()));
        return out;
    }

    /** Every layer and head of coupled-mean-shift-coefficients.csv, with the given columns. */
    static List<Coefficients> coefficients(RunDirectory run, List<String> columns) throws IOException {
        return Measures.rows(run, "coupled-mean-shift-coefficients", (table, i) -> {
            double[] v = new double[columns.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = Csv.parseDouble(table.get(i, columns.get(k)));
            }
            return new Coefficients(Integer.parseInt(table.get(i, "layer")), Integer.parseInt(table.get(i, "head")), v);
        });
    }
}
