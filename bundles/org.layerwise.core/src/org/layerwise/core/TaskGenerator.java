package org.layerwise.core;

/** Extension point org.layerwise.core.taskGenerators: in-context prompts (SCIENCE.md section 2). */
public interface TaskGenerator {

    /** Maps settings to what the stage will produce, without generating anything. */
    TaskSpec configure(Settings settings) throws InvalidSettingException;

    /**
     * Generates {@code count} prompts, deterministically from {@code seed}: the same seed
     * gives the same prompts, and prompts of different seeds are independent.
     */
    PromptBatch generate(Settings settings, int count, long seed);
}
