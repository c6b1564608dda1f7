package org.layerwise.report.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.layerwise.report.Claim;
import org.layerwise.report.Verdict;
import org.layerwise.report.internal.Measures.Interval;
import org.layerwise.report.internal.PaperAMeasures.LayerValue;
import org.layerwise.runner.RunDirectory;

/**
 * docs/mathematics.md section 10, results 1-5, judged on the numbers in the run directories. Each
 * rule is fixed here, before anything is measured, and printed next to its verdict.
 */
public final class PaperAClaims {

    /** Result 2: "near zero" means a mean asymmetry at most this. */
    static final double NEAR_ZERO_ASYMMETRY = 0.2;
    /** Result 2: and at most this fraction of the unconstrained model's. */
    static final double ASYMMETRY_FRACTION = 0.25;
    /** Results 3 and 5: the recursion "reproduces the predictions" at this agreement and logit R^2. */
    static final double FIDELITY = 0.9;

    private final Map<String, RunDirectory> runs;

    public PaperAClaims(Map<String, RunDirectory> runs) {
        this.runs = runs;
    }

    public List<Claim> judge() throws IOException {
        List<Claim> claims = new ArrayList<>();
        claims.add(accuracy());
        claims.add(asymmetry());
        claims.add(fidelity("3", "The recursion from 12 scalars per layer reproduces the symmetrized model's predictions.",
                PaperA.SYMMETRIZED, ""));
        claims.add(separation());
        claims.add(labelMargin());
        claims.add(featureMargin());
        for (String variant : PaperA.VARIANTS) {
            claims.add(fidelity("5", "The same recursion form, with other coefficients, fits the " + variant + " variant.", variant,
                    coefficientDistance(variant)));
        }
        return claims;
    }

    private Optional<RunDirectory> run(String role) {
        return Optional.ofNullable(runs.get(role));
    }

    private Claim accuracy() throws IOException {
        String statement = "A symmetrized model reaches the accuracy of an unconstrained one of the same depth.";
        String rule = "held when the symmetrized model is above chance (interval low > chance) and its bootstrap interval "
                + "reaches the unconstrained model's accuracy (high >= that accuracy), both of the same depth";
        Optional<Interval> sym = acc(PaperA.SYMMETRIZED);
        Optional<Interval> unc = acc(PaperA.UNCONSTRAINED);
        Optional<Double> chance = run(PaperA.SYMMETRIZED).flatMap(r -> r.findMetric("chance"));
        if (sym.isEmpty() || unc.isEmpty() || chance.isEmpty()) {
            return Claim.notMeasured("1", statement, rule, "the model accuracy (baselines.csv) of the symmetrized and "
                    + "the unconstrained run");
        }
        Object depthSym = layers(PaperA.SYMMETRIZED);
        Object depthUnc = layers(PaperA.UNCONSTRAINED);
        String measured = String.format(Locale.ROOT, "symmetrized %s, unconstrained %s, chance %s; L = %s and %s",
                Text.pctWithInterval(sym.get()), Text.pctWithInterval(unc.get()), Text.pct(chance.get()), depthSym, depthUnc);
        if (!String.valueOf(depthSym).equals(String.valueOf(depthUnc))) {
            return new Claim("1", statement, measured + " (depths differ)", rule, Verdict.NOT_MEASURED);
        }
        boolean held = sym.get().low() > chance.get() && sym.get().high() >= unc.get().mean();
        return new Claim("1", statement, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    private Optional<Interval> acc(String role) throws IOException {
        RunDirectory r = runs.get(role);
        return r == null ? Optional.empty() : PaperAMeasures.accuracy(r, "model");
    }

    private Object layers(String role) {
        return run(role).flatMap(r -> r.stage("backend")).map(s -> s.settings().get("layers")).orElse("?");
    }

    private Claim asymmetry() {
        String statement = "The symmetrized model's weights are structured: asymmetry near zero, against large for the unconstrained one.";
        String rule = String.format(Locale.ROOT, "held when the symmetrized model's mean asymmetry ||M - R(M)||_F / ||M||_F over "
                + "every Q and V is at most %.2f and at most %.2f times the unconstrained model's", NEAR_ZERO_ASYMMETRY,
                ASYMMETRY_FRACTION);
        Optional<Double> sym = run(PaperA.SYMMETRIZED).flatMap(r -> r.findMetric("asymmetry"));
        Optional<Double> unc = run(PaperA.UNCONSTRAINED).flatMap(r -> r.findMetric("asymmetry"));
        if (sym.isEmpty() || unc.isEmpty()) {
            return Claim.notMeasured("2", statement, rule, "the asymmetry (metrics.json) of the symmetrized and the unconstrained run");
        }
        String measured = String.format(Locale.ROOT, "mean asymmetry: symmetrized %s, unconstrained %s (ratio %s); "
                + "equivariance error %s and %s", Text.num(sym.get()), Text.num(unc.get()), Text.num(sym.get() / unc.get()),
                Text.num(run(PaperA.SYMMETRIZED).flatMap(r -> r.findMetric("equivariance_error")).orElse(Double.NaN)),
                Text.num(run(PaperA.UNCONSTRAINED).flatMap(r -> r.findMetric("equivariance_error")).orElse(Double.NaN)));
        boolean held = sym.get() <= NEAR_ZERO_ASYMMETRY && sym.get() <= ASYMMETRY_FRACTION * unc.get();
        return new Claim("2", statement, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    private Claim fidelity(String result, String statement, String role, String extra) {
        String rule = String.format(Locale.ROOT, "held when the full coupled mean-shift recursion run from the evaluation prompts "
                + "predicts the network's class on at least %.0f%% of them (agreement) and its logit R^2 is at least %.2f",
                100 * FIDELITY, FIDELITY);
        Optional<Double> agreement = run(role).flatMap(r -> r.scalar("coupled-mean-shift", "agreement_full"));
        Optional<Double> r2 = run(role).flatMap(r -> r.scalar("coupled-mean-shift", "logit_r2_full"));
        if (agreement.isEmpty() || r2.isEmpty()) {
            return Claim.notMeasured(result, statement, rule, "the coupled-mean-shift scalars of the " + role + " run");
        }
        String measured = String.format(Locale.ROOT, "%s run: full recursion agreement %s, logit R^2 %s; reduced form %s, %s%s", role,
                Text.pct(agreement.get()), Text.num(r2.get()),
                Text.pct(run(role).flatMap(r -> r.scalar("coupled-mean-shift", "agreement_reduced")).orElse(Double.NaN)),
                Text.num(run(role).flatMap(r -> r.scalar("coupled-mean-shift", "logit_r2_reduced")).orElse(Double.NaN)), extra);
        boolean held = agreement.get() >= FIDELITY && r2.get() >= FIDELITY;
        return new Claim(result, statement, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    /** How far a variant's twelve scalars are from the linear task's: ||theta - theta_lin|| / ||theta_lin||. */
    private String coefficientDistance(String variant) throws IOException {
        RunDirectory v = runs.get(variant);
        RunDirectory lin = runs.get(PaperA.SYMMETRIZED);
        if (v == null || lin == null) {
            return "";
        }
        List<PaperAMeasures.Coefficients> a = PaperAMeasures.coefficients(v, PaperAMeasures.TWELVE);
        List<PaperAMeasures.Coefficients> b = PaperAMeasures.coefficients(lin, PaperAMeasures.TWELVE);
        if (a.isEmpty() || a.size() != b.size()) {
            return "";
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int k = 0; k < PaperAMeasures.TWELVE.size(); k++) {
                double d = a.get(i).scalars()[k] - b.get(i).scalars()[k];
                diff += d * d;
                norm += b.get(i).scalars()[k] * b.get(i).scalars()[k];
            }
        }
        return "; its twelve scalars differ from the linear task's by " + Text.num(Math.sqrt(diff / norm)) + " (relative)";
    }

    private Claim separation() throws IOException {
        String statement = "Class separation grows with depth.";
        String rule = "held when the network's Fisher ratio tr S_B / tr S_W of the context tokens' features (x block) at the "
                + "last layer has its interval above the input's (low at layer L > high at layer 0)";
        return growth("4", statement, rule, "fisher_ratio", "x", 0, false);
    }

    private Claim labelMargin() throws IOException {
        String statement = "The probe's label margin is positive and grows with depth.";
        String rule = "held when the network's label margin [y_q]_c* - max_{c != c*} [y_q]_c at the last layer is positive (interval low > 0) and its interval "
                + "lies above layer 1's (low at L > high at 1; at layer 0 the probe's label block is zero by construction)";
        return growth("4", statement, rule, "label_margin", "y", 1, true);
    }

    private Claim featureMargin() throws IOException {
        String statement = "The probe's feature margin is positive and grows with depth.";
        String rule = "held when the network's feature margin min_{c != c*} ||x_q - mu_c||^2 - ||x_q - mu_c*||^2 at the last "
                + "layer is positive (interval low > 0) and its interval "
                + "lies above the input's (low at L > high at 0)";
        return growth("4", statement, rule, "feature_margin", "x", 0, true);
    }

    private Claim growth(String result, String statement, String rule, String measure, String block, int fromLayer,
            boolean mustBePositive) throws IOException {
        RunDirectory r = runs.get(PaperA.SYMMETRIZED);
        List<LayerValue> values = r == null ? List.of() : PaperAMeasures.perLayer(r, "network", measure, block);
        Optional<LayerValue> first = values.stream().filter(v -> v.layer() == fromLayer).findFirst();
        if (values.size() < 2 || first.isEmpty() || !first.get().value().defined() || !values.get(values.size() - 1).value().defined()) {
            return Claim.notMeasured(result, statement, rule, measure + " per layer (layer-dynamics.csv) of the symmetrized run");
        }
        LayerValue last = values.get(values.size() - 1);
        boolean monotone = true;
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i).layer() > fromLayer && values.get(i).value().mean() < values.get(i - 1).value().mean()) {
                monotone = false;
            }
        }
        String perLayer = values.stream().map(v -> v.layer() + ": " + Text.num(v.value().mean())).collect(Collectors.joining(", "));
        String measured = String.format(Locale.ROOT, "%s (%s) layer %d %s -> layer %d %s; per layer %s; increases at every layer "
                + "from %d: %s", measure, block, fromLayer, Text.withInterval(first.get().value()), last.layer(),
                Text.withInterval(last.value()), perLayer, fromLayer, Text.yesNo(monotone));
        boolean held = last.value().low() > first.get().value().high() && (!mustBePositive || last.value().low() > 0);
        return new Claim(result, statement, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }
}
