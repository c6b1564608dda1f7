package org.layerwise.analysis.spectral;

/**
 * The macroscopic measures of a weight matrix of docs/mathematics.md section 9: its singular values
 * (one-sided Jacobi), effective rank, marginalised effective rank and the subspace distance of
 * a later matrix from the top right singular vectors of an earlier one. Matrices are real,
 * row-major, rows x cols; nothing here keeps state.
 */
public final class SpectralMeasures {

    /** Sweeps of one-sided Jacobi before giving up; it converges quadratically, in 6-12 sweeps in practice. */
    static final int MAX_SWEEPS = 60;

    private SpectralMeasures() {
    }

    /**
     * A singular value decomposition's values and right vectors: {@code sigma} descending (min(rows, cols) of
     * them), {@code v[j]} the right singular vector of {@code sigma[j]} (cols entries); for j >= rows (a wide
     * matrix) {@code v[j]} completes an orthonormal basis of R^cols with singular value 0.
     */
    public record Svd(int rows, int cols, double[] sigma, double[][] v, int sweeps) {

        /** How many singular values exceed {@code tol} sigma_1 (0 for the zero matrix). */
        public int rankAbove(double tol) {
            return SpectralMeasures.rankAbove(sigma, tol);
        }
    }

    /**
     * One-sided (Hestenes) Jacobi: plane rotations from the right make the columns of M mutually orthogonal;
     * the column norms are then the singular values and the accumulated rotations the right singular vectors.
     * Singular values come out with high relative accuracy (a rotation is applied whenever two columns are
     * further from orthogonal than the machine epsilon times sqrt(rows)).
     *
     * @throws IllegalArgumentException for a wrong size or a non-finite entry
     */
    public static Svd svd(double[] m, int rows, int cols) {
        if (rows < 1 || cols < 1 || m.length != rows * cols) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix cannot hold " + m.length + " values");
        }
        // a[j] = column j, v[j] = column j of the accumulated rotation (starts as e_j)
        double[][] a = new double[cols][rows];
        double[][] v = new double[cols][cols];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                double x = m[i * cols + j];
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("entry (" + i + ", " + j + ") is " + x);
                }
                a[j][i] = x;
            }
            v[j][j] = 1;
        }
        double threshold = Math.ulp(1.0) * Math.sqrt(rows);
        // A column this short is zero to working precision (the entries carry rounding errors of about
        // eps ||M||_F): rotating it only stirs rounding noise, which never becomes orthogonal (a wide or
        // rank-deficient matrix would sweep forever). Its singular value is reported as computed (below this).
        double negligible = Math.ulp(1.0) * rows * norm(m);
        double negligible2 = negligible * negligible;
        int sweeps = 0;
        boolean rotated = true;
        while (rotated) {
            if (sweeps == MAX_SWEEPS) {
                throw new IllegalStateException("one-sided Jacobi did not converge in " + MAX_SWEEPS + " sweeps on a " + rows
                        + " x " + cols + " matrix");
            }
            sweeps++;
            rotated = false;
            for (int p = 0; p < cols - 1; p++) {
                for (int q = p + 1; q < cols; q++) {
                    double[] ap = a[p];
                    double[] aq = a[q];
                    double alpha = 0;
                    double beta = 0;
                    double gamma = 0;
                    for (int i = 0; i < rows; i++) {
                        alpha += ap[i] * ap[i];
                        beta += aq[i] * aq[i];
                        gamma += ap[i] * aq[i];
                    }
                    if (gamma == 0 || alpha <= negligible2 || beta <= negligible2
                            || Math.abs(gamma) <= threshold * Math.sqrt(alpha) * Math.sqrt(beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.hypot(1, zeta));
                    if (zeta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    rotate(ap, aq, c, s);
                    rotate(v[p], v[q], c, s);
                }
            }
        }
        double[] norms = new double[cols];
        Integer[] order = new Integer[cols];
        for (int j = 0; j < cols; j++) {
            norms[j] = norm(a[j]);
            order[j] = j;
        }
        // descending; ties keep the column order so the result is deterministic
        java.util.Arrays.sort(order, (x, y) -> Double.compare(norms[y], norms[x]));
        int count = Math.min(rows, cols);
        double[] sigma = new double[count];
        double[][] vs = new double[cols][];
        for (int j = 0; j < cols; j++) {
            vs[j] = v[order[j]];
            if (j < count) {
                sigma[j] = norms[order[j]];
            }
        }
        return new Svd(rows, cols, sigma, vs, sweeps);
    }

    private static void rotate(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            double yi = y[i];
            x[i] = c * xi - s * yi;
            y[i] = s * xi + c * yi;
        }
    }

    /** The Euclidean norm, scaled so that neither tiny nor huge entries under- or overflow. */
    static double norm(double[] x) {
        double scale = 0;
        for (double e : x) {
            scale = Math.max(scale, Math.abs(e));
        }
        if (scale == 0) {
            return 0;
        }
        double sum = 0;
        for (double e : x) {
            double r = e / scale;
            sum += r * r;
        }
        return scale * Math.sqrt(sum);
    }

    /** The singular values of M, descending. */
    public static double[] singularValues(double[] m, int rows, int cols) {
        return svd(m, rows, cols).sigma();
    }

    /** How many of the descending values {@code sigma} exceed {@code tol} sigma_1 (0 when sigma_1 is 0). */
    public static int rankAbove(double[] sigma, double tol) {
        if (sigma.length == 0 || !(sigma[0] > 0)) {
            return 0;
        }
        double cut = tol * sigma[0];
        int n = 0;
        while (n < sigma.length && sigma[n] > cut) {
            n++;
        }
        return n;
    }

    /**
     * exp(-sum_i p_i ln p_i) with p_i = sigma_i / sum_j sigma_j over the singular values above tol sigma_1;
     * NaN for the zero matrix.
     */
    public static double effectiveRank(double[] sigma, double tol) {
        return marginalEffectiveRank(sigma, tol, 0);
    }

    /**
     * The effective rank of the singular values above tol sigma_1 without the {@code k} largest, renormalised
     * over the rest; NaN (undefined) when no more than k values are above the tolerance.
     */
    public static double marginalEffectiveRank(double[] sigma, double tol, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k = " + k + " largest values to drop");
        }
        int n = rankAbove(sigma, tol);
        if (n <= k) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = k; i < n; i++) {
            sum += sigma[i];
        }
        double entropy = 0;
        for (int i = k; i < n; i++) {
            double p = sigma[i] / sum;
            entropy -= p * Math.log(p);
        }
        return Math.exp(entropy);
    }

    /**
     * d_r = ||M_inf (I - V_r V_r')||_F / ||M_inf||_F with V_r the first r right singular vectors of
     * {@code earlier}: the share of the final matrix M_inf (row-major, rows x cols, the same shape) that lies
     * outside the span of those vectors (1 for r = 0, which spans nothing); NaN when M_inf is the zero matrix.
     */
    public static double subspaceDistance(double[] mInf, Svd earlier, int r) {
        int rows = earlier.rows();
        int cols = earlier.cols();
        if (mInf.length != rows * cols) {
            throw new IllegalArgumentException("M_inf has " + mInf.length + " values, the earlier matrix is " + rows + " x " + cols);
        }
        if (r < 0 || r > cols) {
            throw new IllegalArgumentException("r = " + r + " right singular vectors of a matrix with " + cols + " columns");
        }
        double total = norm(mInf);
        if (total == 0) {
            return Double.NaN;
        }
        double[] residual = new double[cols];
        double[] rowNorms = new double[rows];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(mInf, i * cols, residual, 0, cols);
            // modified Gram-Schmidt: remove each direction from what is left
            for (int k = 0; k < r; k++) {
                double[] vk = earlier.v()[k];
                double dot = 0;
                for (int j = 0; j < cols; j++) {
                    dot += residual[j] * vk[j];
                }
                for (int j = 0; j < cols; j++) {
                    residual[j] -= dot * vk[j];
                }
            }
            rowNorms[i] = norm(residual);
        }
        return norm(rowNorms) / total;
    }
}
