package org.layerwise.core;

/** Extension point org.layerwise.core.taskGenerators: in-context prompts (docs/mathematics.md section 2). */
public interface TaskGenerator {

    /** Maps settings to what the stage will produce, without generating anything. */
    TaskSpec configure(Settings settings) throws InvalidSettingException;

    /**
     * As {@link #configure(Settings)}, in a run whose task seed is known (the task's "seed"
     * setting when it is >= 0, else derived from the master seed): a task with a fixed structure
     * drawn once (a pool of tasks, a basis) draws it from this seed, so that the master seed
     * derives it like every other seed. The run then generates its prompts with this same
     * instance. The default ignores the seed.
     */
    default TaskSpec configure(Settings settings, long taskSeed) throws InvalidSettingException {
        return configure(settings);
    }

    /** The task seed of a run: the "seed" setting when the task has one and it is >= 0, else derived from the master seed. */
    static long taskSeed(Settings settings, long master) {
        return settings.asMap().containsKey("seed") && settings.longValue("seed") >= 0 ? settings.longValue("seed")
                : Seeds.derive(master, "task");
    }

    /**
     * Generates {@code count} prompts, deterministically from {@code seed}: the same seed
     * gives the same prompts, and prompts of different seeds are independent.
     */
    PromptBatch generate(Settings settings, int count, long seed);
}
