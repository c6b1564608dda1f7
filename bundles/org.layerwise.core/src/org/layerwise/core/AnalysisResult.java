package org.layerwise.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an analyzer returns: named scalars (merged into metrics.json under the analyzer id),
 * tables (NAME.csv), tensors (ID.npz), structured details (ID.json) and lines for the
 * human summary. Names must match the analyzer's declared outputs.
 */
public final class AnalysisResult {

    private final Map<String, Double> scalars = new LinkedHashMap<>();
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, Object> details = new LinkedHashMap<>();
    private final List<String> summary = new ArrayList<>();

    public AnalysisResult scalar(String name, double value) {
        scalars.put(name, value);
        return this;
    }

    public AnalysisResult table(String name, Table table) {
        tables.put(name, table);
        return this;
    }

    public AnalysisResult tensor(String name, Tensor tensor) {
        tensors.put(name, tensor);
        return this;
    }

    public AnalysisResult detail(String name, Object value) {
        details.put(name, value);
        return this;
    }

    public AnalysisResult summary(String line) {
        summary.add(line);
        return this;
    }

    public Map<String, Double> scalars() {
        return scalars;
    }

    public Map<String, Table> tables() {
        return tables;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Map<String, Object> details() {
        return details;
    }

    public List<String> summaryLines() {
        return summary;
    }
}
