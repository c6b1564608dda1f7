package org.layerwise.ui.results;

import java.util.Arrays;

/**
 * A fixed 2-D principal-component basis: the centre (mean) of the points it was fitted on and
 * the two leading eigenvectors of their covariance (divided by n), from a full symmetric
 * eigendecomposition (cyclic Jacobi: exact to round-off for the few dozen dimensions of a
 * token). Each axis's sign is fixed so that its largest-magnitude component is positive, so
 * the same points always give the same picture.
 */
public final class TokenProjection {

    private final double[] centre;
    private final double[][] axes;
    private final double[] variances;
    private final double totalVariance;

    private TokenProjection(double[] centre, double[][] axes, double[] variances, double totalVariance) {
        this.centre = centre;
        this.axes = axes;
        this.variances = variances;
        this.totalVariance = totalVariance;
    }

    /** Fits on the rows of points (n rows of one dimension, n >= 1, dimension >= 2). */
    public static TokenProjection fit(double[][] points) {
        int n = points.length;
        int dim = points[0].length;
        if (dim < 2) {
            throw new IllegalArgumentException("a 2-D projection needs at least 2 coordinates, got " + dim);
        }
        double[] mean = new double[dim];
        for (double[] p : points) {
            for (int k = 0; k < dim; k++) {
                mean[k] += p[k];
            }
        }
        for (int k = 0; k < dim; k++) {
            mean[k] /= n;
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
        Integer[] order = new Integer[dim];
        for (int i = 0; i < dim; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        double[][] axes = new double[2][dim];
        double[] variances = new double[2];
        for (int a = 0; a < 2; a++) {
            int big = 0;
            for (int k = 0; k < dim; k++) {
                axes[a][k] = vectors[k][order[a]];
                if (Math.abs(axes[a][k]) > Math.abs(axes[a][big]) + 1e-12) {
                    big = k;
                }
            }
            if (axes[a][big] < 0) {
                for (int k = 0; k < dim; k++) {
                    axes[a][k] = -axes[a][k];
                }
            }
            variances[a] = Math.max(0, values[order[a]]);
        }
        return new TokenProjection(mean, axes, variances, total);
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
            double scale = 0;
            for (int i = 0; i < n; i++) {
                scale += m[i][i] * m[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += m[i][j] * m[i][j];
                }
            }
            if (off <= 1e-30 * Math.max(scale, Double.MIN_NORMAL)) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (m[p][q] == 0) {
                        continue;
                    }
                    double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double mkp = m[k][p];
                        double mkq = m[k][q];
                        m[k][p] = c * mkp - s * mkq;
                        m[k][q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) {
                        double mpk = m[p][k];
                        double mqk = m[q][k];
                        m[p][k] = c * mpk - s * mqk;
                        m[q][k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
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

    /** The point's coordinates on the two axes, (p - centre) . axis. */
    public double[] apply(double[] point) {
        double[] out = new double[2];
        for (int a = 0; a < 2; a++) {
            double s = 0;
            for (int k = 0; k < centre.length; k++) {
                s += (point[k] - centre[k]) * axes[a][k];
            }
            out[a] = s;
        }
        return out;
    }

    public double[] centre() {
        return centre.clone();
    }

    /** Axis a (0 or 1), a unit vector. */
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
