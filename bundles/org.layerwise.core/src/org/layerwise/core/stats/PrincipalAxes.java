package org.layerwise.core.stats;

import java.util.Arrays;

/**
 * A fixed principal-component basis: the mean of the points it was fitted on and the leading
 * eigenvectors of their covariance (divided by n), from a full symmetric eigendecomposition
 * (cyclic Jacobi: exact to round-off for the few dozen dimensions of a token). The axes are
 * ordered by decreasing variance (equal variances: by the index of the eigenvector's largest
 * component) and each axis's sign is fixed so that its largest-magnitude component is positive
 * (the first such component on a tie), so the same points give the same axes wherever they
 * are fitted: the report's figures and the workbench's Trajectories view use this one class.
 */
public final class PrincipalAxes {

    /** Components closer than this (relative to the largest) count as equally large for the sign rule. */
    private static final double TIE = 1e-9;

    private final double[] centre;
    private final double[][] axes;
    private final double[] variances;
    private final double totalVariance;

    private PrincipalAxes(double[] centre, double[][] axes, double[] variances, double totalVariance) {
        this.centre = centre;
        this.axes = axes;
        this.variances = variances;
        this.totalVariance = totalVariance;
    }

    /** The two leading axes of the rows of points (n >= 1 rows of one dimension >= 2). */
    public static PrincipalAxes fit(double[][] points) {
        return fit(points, 2);
    }

    /** The k leading axes of the rows of points (n >= 1 rows of one dimension >= k). */
    public static PrincipalAxes fit(double[][] points, int k) {
        if (points.length == 0) {
            throw new IllegalArgumentException("a principal-component basis needs at least one point");
        }
        int n = points.length;
        int dim = points[0].length;
        if (k < 1 || dim < k) {
            throw new IllegalArgumentException(k + " axes need at least " + k + " coordinates, got " + dim);
        }
        double[] mean = new double[dim];
        for (double[] p : points) {
            if (p.length != dim) {
                throw new IllegalArgumentException("every point has " + dim + " coordinates, one has " + p.length);
            }
            for (int j = 0; j < dim; j++) {
                mean[j] += p[j];
            }
        }
        for (int j = 0; j < dim; j++) {
            mean[j] /= n;
        }
        double[][] cov = new double[dim][dim];
        for (double[] p : points) {
            for (int i = 0; i < dim; i++) {
                double di = p[i] - mean[i];
                for (int j = i; j < dim; j++) {
                    cov[i][j] += di * (p[j] - mean[j]);
                }
            }
        }
        double total = 0;
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                cov[i][j] /= n;
                cov[j][i] = cov[i][j];
            }
            total += cov[i][i];
        }
        double[][] vectors = new double[dim][dim];
        double[] values = jacobi(cov, vectors);
        double[][] columns = new double[dim][dim];
        int[] largest = new int[dim];
        for (int c = 0; c < dim; c++) {
            for (int j = 0; j < dim; j++) {
                columns[c][j] = vectors[j][c];
            }
            largest[c] = orient(columns[c]);
        }
        Integer[] order = new Integer[dim];
        for (int i = 0; i < dim; i++) {
            order[i] = i;
        }
        double scale = Math.max(Math.abs(values[0]), Double.MIN_NORMAL);
        for (double v : values) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tie = TIE * scale;
        Arrays.sort(order, (a, b) -> Math.abs(values[a] - values[b]) <= tie ? Integer.compare(largest[a], largest[b])
                : Double.compare(values[b], values[a]));
        double[][] axes = new double[k][];
        double[] variances = new double[k];
        for (int a = 0; a < k; a++) {
            axes[a] = columns[order[a]];
            variances[a] = Math.max(0, values[order[a]]);
        }
        return new PrincipalAxes(mean, axes, variances, total);
    }

    /** Flips v so that its largest-magnitude component (the first within TIE of it) is positive; returns that index. */
    private static int orient(double[] v) {
        double max = 0;
        for (double x : v) {
            max = Math.max(max, Math.abs(x));
        }
        int big = 0;
        while (big < v.length - 1 && Math.abs(v[big]) < max * (1 - TIE)) {
            big++;
        }
        if (v[big] < 0) {
            for (int j = 0; j < v.length; j++) {
                v[j] = -v[j];
            }
        }
        return big;
    }

    /**
     * Eigenvalues of the symmetric matrix m (destroyed) by cyclic Jacobi rotations; the
     * eigenvectors go to the columns of v.
     */
    private static double[] jacobi(double[][] m, double[][] v) {
        int n = m.length;
        for (int i = 0; i < n; i++) {
            Arrays.fill(v[i], 0);
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diagonal = 0;
            for (int i = 0; i < n; i++) {
                diagonal += m[i][i] * m[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += m[i][j] * m[i][j];
                }
            }
            if (off <= 1e-30 * Math.max(diagonal, Double.MIN_NORMAL)) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (m[p][q] == 0) {
                        continue;
                    }
                    double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
                    double t = theta == 0 ? 1 : Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int j = 0; j < n; j++) {
                        double mjp = m[j][p];
                        double mjq = m[j][q];
                        m[j][p] = c * mjp - s * mjq;
                        m[j][q] = s * mjp + c * mjq;
                    }
                    for (int j = 0; j < n; j++) {
                        double mpj = m[p][j];
                        double mqj = m[q][j];
                        m[p][j] = c * mpj - s * mqj;
                        m[q][j] = s * mpj + c * mqj;
                    }
                    for (int j = 0; j < n; j++) {
                        double vjp = v[j][p];
                        double vjq = v[j][q];
                        v[j][p] = c * vjp - s * vjq;
                        v[j][q] = s * vjp + c * vjq;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = m[i][i];
        }
        return values;
    }

    /** The point's coordinates on the axes, (p - centre) . axis. */
    public double[] apply(double[] point) {
        double[] out = new double[axes.length];
        for (int a = 0; a < axes.length; a++) {
            double s = 0;
            for (int j = 0; j < centre.length; j++) {
                s += (point[j] - centre[j]) * axes[a][j];
            }
            out[a] = s;
        }
        return out;
    }

    /** How many axes were fitted. */
    public int count() {
        return axes.length;
    }

    public double[] centre() {
        return centre.clone();
    }

    /** Axis a (0 = the leading one), a unit vector. */
    public double[] axis(int a) {
        return axes[a].clone();
    }

    /** The variance of the fitted points along axis a (its eigenvalue). */
    public double variance(int a) {
        return variances[a];
    }

    /** The share of the fitted points' total variance along axis a (0 when they do not vary). */
    public double explained(int a) {
        return totalVariance > 0 ? variances[a] / totalVariance : 0;
    }
}
