package org.layerwise.core;

import java.util.Map;

import org.layerwise.core.model.TransformerModel;

/**
 * A backend's result: the model, the loss after each step (empty when loaded), whether
 * training diverged, and facts to record in run.json (engine used, and why).
 */
public record TrainedModel(TransformerModel model, double[] lossCurve, boolean diverged, Map<String, Object> facts) {
}
