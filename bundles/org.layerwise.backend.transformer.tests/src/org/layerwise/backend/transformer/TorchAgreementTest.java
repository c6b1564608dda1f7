package org.layerwise.backend.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.layerwise.core.Tensor;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkForward;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.io.Safetensors;

/**
 * The reference engine against PyTorch's autograd on the same weights and examples: fixtures
 * written by releng/bench/torch_grokking_fixture.py (a two-layer model of p = 5 with random
 * biases, with and without LayerNorm), holding the answer logits, the mean cross-entropy and the
 * gradient of every weight as torch computed them in float64.
 */
class TorchAgreementTest {

    @ParameterizedTest
    @ValueSource(strings = {"torch-ln.safetensors", "torch-noln.safetensors"})
    void logits_loss_and_every_gradient_agree_with_pytorch(String file) throws Exception {
        Map<String, Tensor> t = Safetensors.read(Path.of("data", file)).tensors();
        boolean ln = t.containsKey("ln_final.w");
        NetworkConfig c = new NetworkConfig(NetworkConfig.TRANSFORMER, 6, 5, 3, 8, 2, 2, 4, 16, false, "relu",
                ln ? NetworkConfig.LAYER_NORM : null, 1e-5, 2.0, "float64", null);
        Map<String, Tensor> weights = new java.util.LinkedHashMap<>();
        c.expectedShapes().keySet().forEach(name -> weights.put(name, t.get(name)));
        NetworkModel model = new NetworkModel(c, weights);
        int[] tokens = Arrays.stream(t.get("tokens").toLongs()).mapToInt(x -> (int) x).toArray();
        int[] labels = Arrays.stream(t.get("labels").toLongs()).mapToInt(x -> (int) x).toArray();
        int n = labels.length;
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        TokenDataset data = new TokenDataset(6, 5, 3, 2, tokens, labels, rows, new int[0]);

        double[] logits = NetworkForward.run(model, data, rows, Forward.Hooks.NONE).logits();
        double[] torchLogits = t.get("logits").toDoubles();
        for (int i = 0; i < logits.length; i++) {
            assertEquals(torchLogits[i], logits[i], 1e-12 * (1 + Math.abs(torchLogits[i])), "logit " + i);
        }
        Parameters p = Parameters.of(model);
        double[][] gradient = Parameters.zerosLike(Parameters.sizes(c));
        Engine.Evaluation e = new ReferenceEngine(c, data, 1).lossAndGradient(p.values(), rows, gradient);
        assertEquals(t.get("loss").toDoubles()[0], e.loss(), 1e-12);
        List<String> names = Parameters.names(c);
        // b_K's gradient is zero in exact arithmetic (a key bias shifts a query's scores alike): both sides hold
        // rounding noise there, so the tolerance is relative to the largest gradient entry of the model
        double scale = names.stream().flatMapToDouble(name -> Arrays.stream(t.get("grad." + name).toDoubles())).map(Math::abs)
                .max().orElse(0);
        for (int i = 0; i < names.size(); i++) {
            double[] torch = t.get("grad." + names.get(i)).toDoubles();
            for (int k = 0; k < torch.length; k++) {
                assertEquals(torch[k], gradient[i][k], 1e-10 * scale, "d loss / d " + names.get(i) + "[" + k + "]");
            }
        }
    }
}
