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
import org.layerwise.report.internal.LearningDynamics.Mode;
import org.layerwise.report.internal.LearningDynamics.Point;
import org.layerwise.runner.RunDirectory;

/**
 * docs/mathematics.md section 10, result 6 (Paper B), split in four claims and judged on the numbers in
 * the run directories. Each rule is fixed here, before the study's own runs are measured, and
 * printed next to its verdict.
 * <p>
 * Where a threshold is not the or docs/mathematics.md's own number, it was chosen on exploratory
 * runs of the whole study with master seeds 101 to 105 ({@code ./layerwise reproduce paper-b
 * --seed N}), never with the study's own seeds (each pipeline's seed="1"): the reasoning and the
 * numbers it rests on are next to each constant, and docs/reproduce.md lists them.
 */
public final class PaperBClaims {

    /**
     * Claim 1: each mode reaches a_inf / 2 within this fraction of its tau of when the closed form says. On seeds
     * 101-105 (staged-learning at eta 0.005) the largest offset was 0.0079 tau (mode 0; at eta 0.01 it was 0.022 tau,
     * so it is gradient descent's O(eta) lag behind the flow): a tenth of tau leaves room for a larger lag of the fast
     * mode and still fails a mode learned on another timescale.
     */
    static final double HALF_STEP_TOLERANCE = 0.1;
    /**
     * Claim 2: the closed form and the simulation agree within this fraction of a_inf at every checkpoint and mode: the
     * issue's and docs/mathematics.md's 1%, not chosen on runs. What was chosen on seeds 101-105 is the step of the
     * staged-learning pipeline: at eta 0.01 max_deviation was 0.0055-0.0089, at eta 0.005 0.0032-0.0042 (it halves
     * with eta: the gap is gradient descent against the gradient flow the closed form solves), so eta 0.005 keeps the
     * comparison clear of the tolerance, and 160000 steps let the slowest mode reach a_inf / 2 on every seed (at most
     * step 98600).
     */
    static final double CLOSED_FORM_TOLERANCE = 0.01;
    /**
     * Claim 2: the conservation law. One step of gradient descent on a = p q maps c = p^2 - q^2 to
     * c (1 - eta^2 (dL/da)^2) exactly, so over steps = T / eta steps c drifts by
     * c (1 - prod_k (1 - eta^2 g_k^2)) = c eta (integral of g^2 dt over [0, T]) + O(eta^2): first order in
     * eta at a fixed flow time T. Halving eta (doubling the steps) must therefore halve the drift,
     * up to the O(eta) correction; held when drift(eta) / drift(eta / 2) lies in this interval. On seeds 101-105
     * the ratio was 1.980-1.999, at most 0.02 from 2: the interval allows ten times that and stays far from the
     * ratios of the alternatives, 1 (a drift that does not depend on eta) and 4 (a drift per step, eta^2).
     */
    static final double DRIFT_RATIO_LOW = 1.8;
    static final double DRIFT_RATIO_HIGH = 2.2;
    /**
     * Claim 3: "several percent" means beyond the tolerance the reduced model meets (claim 2) and below this, judged
     * at the last checkpoint. Not over the whole trajectory: on seeds 101-105 the full model's max_deviation was
     * 0.49-1.00, set by when each mode rises (a sigmoid shifted by a tenth of its half-step is tens of percent off
     * while it rises), which says nothing about "several percent". At the last checkpoint three seeds were off by
     * 0.029, 0.042 and 0.063 (the modes' coupling at order 1 / N = 0.05) and two by 1.00: there the slowest mode,
     * read from the diagonal blocks, rose to about 0.3 and fell back to 0 while the closed form reached a_inf of
     * about 2.1. A tenth of a_inf is the upper end of "several percent"; such a run does not hold.
     */
    static final double FULL_DEVIATION_BEYOND = CLOSED_FORM_TOLERANCE;
    static final double FULL_DEVIATION_AT_MOST = 0.1;

    /*
     * Claim 4, the same rule for each emergence run. Each threshold is half the smallest value measured on the ten
     * exploratory runs (seeds 101-105, both tasks), rounded down to one significant digit, so that a run with half the
     * effect the exploratory ones showed still holds and a run without it does not.
     */
    /**
     * Claim 4 (a): the smoothed loss drops by at least this fraction of its first window's level L0. Seeds 101-105:
     * 0.24-0.27 L0 (classification), 0.78-0.82 L0 (regression); half of 0.24 is 0.12. The smoothed loss's plateau
     * wandered at most 0.058 L0 from L0 (regression; classification 0.004): a tenth of L0 lies above that noise.
     */
    static final double DROP_MIN_FRACTION = 0.1;
    /**
     * (b): after a plateau: from the first window's end w to the drop's start t_a (where 10% of the drop is done) the
     * loss stays within a tenth of the drop of L0, for at least as long in log(step) as the drop itself takes to its 90%
     * point t_b, t_a / w >= t_b / t_a (a loss that falls steadily from the start, or linearly in the step, has no
     * plateau by this rule). No threshold to choose: seeds 101-105 gave t_a / w 4.6-6.4 against t_b / t_a 2.1-3.0
     * (classification) and 6.5-9.3 against 2.4-3.2 (regression).
     */
    static final double PLATEAU_BAND = Emergence.START;
    /** (c): the mean effective rank of QK or OV changes by more than this across the drop. Seeds 101-105: 1.05-1.94. */
    static final double RANK_CHANGE = 0.5;
    /** (d): the mean subspace distance to the final of QK or OV falls by more than this across it. Seeds 101-105: 0.124-0.308. */
    static final double DISTANCE_FALL = 0.06;

    private final Map<String, RunDirectory> runs;

    public PaperBClaims(Map<String, RunDirectory> runs) {
        this.runs = runs;
    }

    public List<Claim> judge() throws IOException {
        List<Claim> claims = new ArrayList<>();
        claims.add(staged());
        claims.add(closedForm());
        claims.add(conservation());
        claims.add(full());
        for (String role : PaperB.EMERGENCE_RUNS) {
            claims.add(emergence(role));
        }
        return claims;
    }

    private Claim staged() throws IOException {
        String statement = "The reduced model learns mode by mode: the modes reach a_inf / 2 in the order of s, each when the "
                + "closed form says, on its timescale tau = 1 / (eta Lambda2 s^2).";
        String rule = String.format(Locale.ROOT, "held when the staged-learning run's staged_order is 1 (the order of the "
                + "simulated half-steps is the order of decreasing s) and every mode's simulated half-step is within %.2f tau of "
                + "the closed form's", HALF_STEP_TOLERANCE);
        RunDirectory run = runs.get(PaperB.STAGED);
        Optional<Double> order = LearningDynamics.scalar(run, "staged_order");
        List<Mode> modes = run == null ? List.of() : LearningDynamics.modes(run);
        if (order.isEmpty() || modes.isEmpty()) {
            return Claim.notMeasured("1", statement, rule, "staged_order and learning-dynamics-modes.csv of the staged-learning run");
        }
        boolean held = order.get() == 1;
        List<String> per = new ArrayList<>();
        for (Mode m : modes) {
            double off = Math.abs(m.halfSimulated() - m.halfClosed()) / m.tau();
            held &= off <= HALF_STEP_TOLERANCE; // NaN (never reached a_inf / 2) fails
            per.add(String.format(Locale.ROOT, "mode %d (s = %s, tau = %s): step %s simulated, %s closed form, off by %s tau", m.mode(),
                    Text.num(m.s()), Text.num(m.tau()), Text.num(m.halfSimulated()), Text.num(m.halfClosed()), Text.num(off)));
        }
        String measured = "staged_order " + Text.num(order.get()) + "; " + String.join("; ", per);
        return new Claim("1", statement, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    private Claim closedForm() {
        String statement = "In the reduced parameterisation the closed form a(t) matches the simulation within 1% of a_inf.";
        String rule = String.format(Locale.ROOT, "held when the staged-learning run's max_deviation, max over checkpoints and "
                + "modes of |a_simulated - a_closed| / a_inf, is at most %.2f", CLOSED_FORM_TOLERANCE);
        Optional<Double> dev = LearningDynamics.scalar(runs.get(PaperB.STAGED), "max_deviation");
        if (dev.isEmpty()) {
            return Claim.notMeasured("2", statement, rule, "max_deviation of the staged-learning run");
        }
        RunDirectory run = runs.get(PaperB.STAGED);
        String measured = String.format(Locale.ROOT, "max_deviation %s of a_inf (eta %s, %s steps)", Text.num(dev.get()),
                Text.num(LearningDynamics.backend(run, "eta")), run.stage("backend").map(s -> s.settings().get("steps")).orElse("?"));
        return new Claim("2", statement, measured, rule, dev.get() <= CLOSED_FORM_TOLERANCE ? Verdict.HELD : Verdict.NOT_HELD);
    }

    private Claim conservation() throws IOException {
        String statement = "The conservation law holds: c = p^2 - q^2 is conserved by the gradient flow, and gradient descent's "
                + "drift of it over a fixed flow time vanishes as eta (halving eta halves it).";
        String rule = String.format(Locale.ROOT, "c <- c (1 - eta^2 (dL/da)^2) at every step, so over a fixed flow time "
                + "T = eta * steps the drift is eta * integral of (dL/da)^2 dt + O(eta^2): held when the two conservation runs have "
                + "the same T, both drift (conservation_drift > 0, a random unbalanced start), and drift(eta) / drift(eta / 2) "
                + "is in [%.1f, %.1f]", DRIFT_RATIO_LOW, DRIFT_RATIO_HIGH);
        RunDirectory big = runs.get(PaperB.CONSERVATION_ETA);
        RunDirectory half = runs.get(PaperB.CONSERVATION_HALF_ETA);
        Optional<Double> d1 = LearningDynamics.scalar(big, "conservation_drift");
        Optional<Double> d2 = LearningDynamics.scalar(half, "conservation_drift");
        if (d1.isEmpty() || d2.isEmpty()) {
            return Claim.notMeasured("2", statement, rule, "conservation_drift of the conservation-eta and conservation-half-eta runs");
        }
        double eta1 = LearningDynamics.backend(big, "eta");
        double eta2 = LearningDynamics.backend(half, "eta");
        double t1 = eta1 * LearningDynamics.backend(big, "steps");
        double t2 = eta2 * LearningDynamics.backend(half, "steps");
        double ratio = d1.get() / d2.get();
        String measured = String.format(Locale.ROOT, "eta %s: drift %s (%s relative to |c0|) over T = %s; eta %s: drift %s (%s) "
                + "over T = %s; ratio %s", Text.num(eta1), Text.num(d1.get()), Text.num(relativeDrift(big)), Text.num(t1),
                Text.num(eta2), Text.num(d2.get()), Text.num(relativeDrift(half)), Text.num(t2), Text.num(ratio));
        if (!(Math.abs(t1 - t2) <= 1e-9 * Math.abs(t1)) || !(Math.abs(eta2 - eta1 / 2) <= 1e-12)) {
            return new Claim("2", statement, measured + " (not the same flow time at eta and eta / 2)", rule, Verdict.NOT_MEASURED);
        }
        boolean held = d1.get() > 0 && d2.get() > 0 && ratio >= DRIFT_RATIO_LOW && ratio <= DRIFT_RATIO_HIGH;
        return new Claim("2", statement, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    /** max over modes of |c(t) - c0| / |c0| at the last checkpoint (NaN when no mode has c0 != 0). */
    private static double relativeDrift(RunDirectory run) throws IOException {
        List<Point> points = LearningDynamics.points(run);
        if (points.isEmpty()) {
            return Double.NaN;
        }
        long first = points.get(0).step();
        long last = points.get(points.size() - 1).step();
        Map<Integer, Double> c0 = points.stream().filter(p -> p.step() == first).collect(Collectors.toMap(Point::mode, Point::c));
        double worst = Double.NaN;
        for (Point p : points) {
            Double c = c0.get(p.mode());
            if (p.step() == last && c != null && c != 0) {
                double r = Math.abs(p.c() - c) / Math.abs(c);
                worst = Double.isNaN(worst) ? r : Math.max(worst, r);
            }
        }
        return worst;
    }

    private Claim full() throws IOException {
        String statement = "When all of W_P and W_Q are trained, the reduced closed form is off by several percent at small N.";
        String rule = String.format(Locale.ROOT, "held when the full-parameterization run's deviation from the reduced closed "
                + "form at its last checkpoint, max over modes of |a_simulated - a_closed| / a_inf (p and q read from the diagonal "
                + "of W_P,yy and W_Q,xx in the U basis), exceeds %.2f, the tolerance the reduced model meets, and is at most %.2f "
                + "(several percent); the maximum over the whole trajectory is reported, not judged (it measures when the modes "
                + "rise)", FULL_DEVIATION_BEYOND, FULL_DEVIATION_AT_MOST);
        RunDirectory run = runs.get(PaperB.FULL);
        Optional<Double> dev = LearningDynamics.scalar(run, "max_deviation");
        List<Point> points = run == null ? List.of() : LearningDynamics.points(run);
        if (dev.isEmpty() || points.isEmpty()) {
            return Claim.notMeasured("3", statement, rule, "max_deviation and learning-dynamics.csv of the full-parameterization run");
        }
        long last = points.get(points.size() - 1).step();
        List<Point> atLast = points.stream().filter(p -> p.step() == last).toList();
        double finalDev = atLast.stream().mapToDouble(Point::deviation).max().orElse(Double.NaN);
        if (atLast.stream().anyMatch(p -> Double.isNaN(p.deviation()))) {
            finalDev = Double.NaN; // a mode without a deviation fails rather than drops out of the maximum
        }
        String perMode = atLast.stream().map(p -> "mode " + p.mode() + " " + Text.num(p.deviation())).collect(Collectors.joining(", "));
        String halves = LearningDynamics.modes(run).stream()
                .map(m -> "mode " + m.mode() + " " + Text.num(m.halfSimulated() / m.halfClosed()))
                .collect(Collectors.joining(", "));
        String measured = String.format(Locale.ROOT, "at the last checkpoint (step %d) %s of a_inf (%s); max_deviation over the "
                + "run %s (N = %s, batch %s); simulated / closed-form half-step: %s; conserved ||W_P||^2 - ||W_Q||^2 drifts by %s",
                last, Text.num(finalDev), perMode, Text.num(dev.get()), run.stage("task").map(s -> s.settings().get("N")).orElse("?"),
                run.stage("backend").map(s -> s.settings().get("batch")).orElse("?"), halves,
                Text.num(LearningDynamics.scalar(run, "conservation_drift").orElse(Double.NaN)));
        boolean held = finalDev > FULL_DEVIATION_BEYOND && finalDev <= FULL_DEVIATION_AT_MOST;
        return new Claim("3", statement, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    /** What the emergence run of the role learns in context, as the claim's statement names it. */
    static String emergenceTask(String role) {
        return PaperB.EMERGENCE_REGRESSION.equals(role) ? "regression (linear-regression)" : "classification (the linear task)";
    }

    /** Claim 4, the same rule for each softmax run: a plateau, a sudden drop, and the spectra of QK and OV changing across it. */
    private Claim emergence(String role) throws IOException {
        String statement = "A softmax attention-only network on in-context " + emergenceTask(role) + " shows a loss plateau, "
                + "then a sudden drop, with the effective rank of QK or OV changing and its subspace distance to the final "
                + "falling across the drop.";
        String rule = String.format(Locale.ROOT, "on the %s run's training loss smoothed over windows of max(10, steps / 50) "
                + "steps, from the first window's level L0 to the last window's L1: held when (a) the drop L0 - L1 is at least "
                + "%.2f L0; (b) the loss stays on its plateau (above L0 - %.1f (L0 - L1)) from the first window's end w to the "
                + "drop's start t_a for at least as long in log(step) as the drop takes to reach %.0f%% of itself at t_b "
                + "(t_a / w >= t_b / t_a); and between the last checkpoint at or before t_a and the first at or after t_b, for QK "
                + "or OV (means over layers and heads), (c) the effective rank changes by more than %.2f and (d) the subspace "
                + "distance to the final checkpoint falls by more than %.2f", role, DROP_MIN_FRACTION, PLATEAU_BAND,
                100 * Emergence.END, RANK_CHANGE, DISTANCE_FALL);
        Optional<Emergence> found = Emergence.of(runs.get(role));
        if (found.isEmpty()) {
            return Claim.notMeasured("4", statement, rule, "training.npz and spectral-dynamics.csv of the " + role + " run");
        }
        Emergence e = found.get();
        long before = e.checkpointAtOrBefore(e.dropStart());
        long after = e.checkpointAtOrAfter(e.dropEnd());
        double rankChange = 0;
        double distanceFall = Double.NEGATIVE_INFINITY;
        List<String> per = new ArrayList<>();
        for (String m : Emergence.MATRICES) {
            double a = e.rankAtOrBefore(m, e.dropStart());
            double b = e.rankAtOrAfter(m, e.dropEnd());
            double atStart = e.rankAtOrAfter(m, 0);
            double da = e.distanceAtOrBefore(m, e.dropStart());
            double db = e.distanceAtOrAfter(m, e.dropEnd());
            rankChange = Math.max(rankChange, Math.abs(b - a)); // NaN leaves it unchanged: not counted
            distanceFall = Math.max(distanceFall, da - db);
            per.add(String.format(Locale.ROOT, "%s effective rank %s -> %s (%s on the plateau, from %s at step 0), subspace "
                    + "distance %s -> %s (from %s at step 0)", m, Text.num(a), Text.num(b), Text.num(a - atStart), Text.num(atStart),
                    Text.num(da), Text.num(db), Text.num(e.distanceAtOrAfter(m, 0))));
        }
        double plateauLength = (double) e.dropStart() / e.window();
        double dropLength = (double) e.dropEnd() / e.dropStart();
        boolean drop = e.drop() >= DROP_MIN_FRACTION * e.plateau();
        boolean plateau = plateauLength >= dropLength;
        boolean rank = before >= 0 && after >= 0 && rankChange > RANK_CHANGE;
        boolean distance = before >= 0 && after >= 0 && distanceFall > DISTANCE_FALL;
        String measured = String.format(Locale.ROOT, "loss L0 %s -> L1 %s (drop %s, %s L0) (a %s); the drop runs from step "
                + "t_a = %d to t_b = %d (window w = %d steps; plateau t_a / w = %s, drop t_b / t_a = %s) (b %s); at checkpoints "
                + "%d and %d: %s; largest rank change %s (c %s), largest distance fall %s (d %s)", Text.num(e.plateau()),
                Text.num(e.last()), Text.num(e.drop()), Text.num(e.drop() / e.plateau()), yes(drop), e.dropStart(),
                e.dropEnd(), e.window(), Text.num(plateauLength), Text.num(dropLength), yes(plateau), before, after,
                String.join("; ", per), Text.num(rankChange), yes(rank), Text.num(distanceFall), yes(distance));
        boolean held = drop && plateau && rank && distance;
        return new Claim("4", statement, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    private static String yes(boolean part) {
        return part ? "met" : "not met";
    }
}
