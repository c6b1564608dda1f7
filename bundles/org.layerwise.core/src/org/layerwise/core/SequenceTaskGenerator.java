package org.layerwise.core;

/**
 * A task generator of token sequences (TaskSpec kind {@link TaskSpec#SEQUENCE}): instead of a
 * stream of in-context prompts it has one fixed set of examples and a train/test split, as the
 * grokking experiments train on. Its {@link #configure} returns a TaskSpec whose
 * {@link TaskSpec#sequence()} shape describes the dataset.
 */
public interface SequenceTaskGenerator extends TaskGenerator {

    /**
     * All examples and the split, deterministic in {@code taskSeed} (the run's task seed,
     * {@link TaskGenerator#taskSeed}): the same seed gives the same dataset. It must pass
     * {@link TokenDataset#problem} against the TaskSpec {@code configure} returns.
     */
    TokenDataset dataset(Settings settings, long taskSeed) throws InvalidSettingException;

    /** A sequence task has no in-context prompts: its examples come from {@link #dataset}. */
    @Override
    default PromptBatch generate(Settings settings, int count, long seed) {
        throw new UnsupportedOperationException(getClass().getName() + " is a sequence task: it has no in-context prompts; "
                + "read its examples with dataset(settings, taskSeed)");
    }
}
