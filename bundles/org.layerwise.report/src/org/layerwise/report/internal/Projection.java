package org.layerwise.report.internal;

/**
 * A 2-D principal-component projection: mean and the two leading eigenvectors of the
 * covariance of the points it was fitted on (power iteration with deflation; the sign of
 * each axis fixed so that its largest component is positive, so the figure is reproducible).
 */
final class Projection {

    private final double[] mean;
    private final double[][] axes;

    private Projection(double[] mean, double[][] axes) {
        this.mean = mean;
        this.axes = axes;
    }

    /** Fits on rows of {@code points} (each of length dim). */
    static Projection fit(double[][] points) {
        int dim = points[0].length;
        double[] mean = new double[dim];
        for (double[] p : points) {
            for (int k = 0; k < dim; k++) {
                mean[k] += p[k] / points.length;
            }
        }
        double[][] cov = new double[dim][dim];
        for (double[] p : points) {
            for (int i = 0; i < dim; i++) {
                for (int j = 0; j < dim; j++) {
                    cov[i][j] += (p[i] - mean[i]) * (p[j] - mean[j]) / points.length;
                }
            }
        }
        double[][] axes = new double[2][];
        for (int a = 0; a < 2; a++) {
            double[] v = leading(cov);
            axes[a] = v;
            double lambda = quadratic(cov, v);
            for (int i = 0; i < dim; i++) {
                for (int j = 0; j < dim; j++) {
                    cov[i][j] -= lambda * v[i] * v[j];
                }
            }
        }
        return new Projection(mean, axes);
    }

    double[] apply(double[] point) {
        double[] out = new double[2];
        for (int a = 0; a < 2; a++) {
            for (int k = 0; k < mean.length; k++) {
                out[a] += (point[k] - mean[k]) * axes[a][k];
            }
        }
        return out;
    }

    private static double[] leading(double[][] m) {
        int n = m.length;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 1.0 + 0.1 * i; // not orthogonal to any eigenvector in practice
        }
        normalize(v);
        for (int it = 0; it < 500; it++) {
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    w[i] += m[i][j] * v[j];
                }
            }
            if (normalize(w) == 0) {
                return v;
            }
            v = w;
        }
        int big = 0;
        for (int i = 1; i < n; i++) {
            if (Math.abs(v[i]) > Math.abs(v[big])) {
                big = i;
            }
        }
        if (v[big] < 0) {
            for (int i = 0; i < n; i++) {
                v[i] = -v[i];
            }
        }
        return v;
    }

    private static double normalize(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        s = Math.sqrt(s);
        if (s > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= s;
            }
        }
        return s;
    }

    private static double quadratic(double[][] m, double[] v) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                s += v[i] * m[i][j] * v[j];
            }
        }
        return s;
    }
}
