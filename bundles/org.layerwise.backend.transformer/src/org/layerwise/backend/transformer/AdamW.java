package org.layerwise.backend.transformer;

/**
 * torch.optim.AdamW's update, in its order of operations, with float64 state and decoupled
 * weight decay on every parameter (one parameter group):
 * <pre>
 * t += 1;  w *= 1 - lr wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 * w -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * Not softmax-attention's Adam, which folds the decay into one expression: equal in exact
 * arithmetic, not in bits.
 */
public final class AdamW {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double[][] m;
    private final double[][] v;
    private long t;

    /** Zero moments for parameters of these sizes. */
    public AdamW(int[] sizes, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = Parameters.zerosLike(sizes);
        this.v = Parameters.zerosLike(sizes);
    }

    /** One update of w in place from the gradient g, with this step's learning rate (warm-up applied by the caller). */
    public void step(double[][] w, double[][] g, double lr) {
        t++;
        double decay = 1 - lr * weightDecay;
        double stepSize = lr / (1 - Math.pow(beta1, t));
        double correction2 = Math.sqrt(1 - Math.pow(beta2, t));
        for (int i = 0; i < w.length; i++) {
            double[] wi = w[i];
            double[] gi = g[i];
            double[] mi = m[i];
            double[] vi = v[i];
            for (int k = 0; k < wi.length; k++) {
                double gk = gi[k];
                wi[k] *= decay;
                mi[k] = beta1 * mi[k] + (1 - beta1) * gk;
                vi[k] = beta2 * vi[k] + (1 - beta2) * gk * gk;
                wi[k] -= stepSize * (mi[k] / (Math.sqrt(vi[k]) / correction2 + eps));
            }
        }
    }

    /** The first moments (live arrays, in the parameter layout). */
    public double[][] m() {
        return m;
    }

    /** The second moments (live arrays, in the parameter layout). */
    public double[][] v() {
        return v;
    }

    /** The number of steps taken. */
    public long t() {
        return t;
    }

    /** Restores a saved state: copies m and v, sets t. */
    public void restore(double[][] savedM, double[][] savedV, long savedT) {
        if (savedM.length != m.length || savedV.length != v.length) {
            throw new IllegalArgumentException(savedM.length + " and " + savedV.length + " moment tensors; expected " + m.length);
        }
        for (int i = 0; i < m.length; i++) {
            if (savedM[i].length != m[i].length || savedV[i].length != v[i].length) {
                throw new IllegalArgumentException("moment " + i + " has " + savedM[i].length + " and " + savedV[i].length
                        + " values; expected " + m[i].length);
            }
            System.arraycopy(savedM[i], 0, m[i], 0, m[i].length);
            System.arraycopy(savedV[i], 0, v[i], 0, v[i].length);
        }
        t = savedT;
    }
}
