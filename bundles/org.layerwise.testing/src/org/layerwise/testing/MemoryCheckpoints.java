package org.layerwise.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.TrainingCheckpoints;

/**
 * The runner's training-state store, in memory: every saved state is kept, with a copy of its
 * arrays taken when it was saved; latest() is the state saved last, or the one
 * {@link #resumeFrom} put there (a crash after an earlier save, or a state built by hand).
 */
public final class MemoryCheckpoints implements TrainingCheckpoints {

    private final List<TrainingState> saved = new ArrayList<>();
    private final List<Map<String, double[]>> copies = new ArrayList<>();
    private TrainingState latest;

    @Override
    public TrainingState latest() {
        return latest;
    }

    @Override
    public void save(TrainingState state) {
        saved.add(state);
        Map<String, double[]> copy = new HashMap<>();
        state.arrays().forEach((name, t) -> copy.put(name, t.toDoubles().clone()));
        copies.add(copy);
        latest = state;
    }

    /** The next run resumes from {@code state}. */
    public void resumeFrom(TrainingState state) {
        latest = state;
    }

    /** The saved states, oldest first. */
    public List<TrainingState> saved() {
        return Collections.unmodifiableList(saved);
    }

    /**
     * Null when every saved array still holds, bit for bit, what it held when saved (the backend
     * handed over copies); else which state and array changed.
     */
    public String changedArray() {
        for (int i = 0; i < saved.size(); i++) {
            for (Map.Entry<String, double[]> e : copies.get(i).entrySet()) {
                double[] now = saved.get(i).arrays().get(e.getKey()).toDoubles();
                double[] then = e.getValue();
                for (int j = 0; j < then.length; j++) {
                    if (Double.doubleToRawLongBits(now[j]) != Double.doubleToRawLongBits(then[j])) {
                        return "state " + i + " (step " + saved.get(i).step() + "), array " + e.getKey() + "[" + j + "]";
                    }
                }
            }
        }
        return null;
    }
}
