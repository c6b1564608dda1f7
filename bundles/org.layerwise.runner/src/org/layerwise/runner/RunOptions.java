package org.layerwise.runner;

import java.nio.file.Path;

/** Where and how to run: the parent output directory and the number of evaluation prompts. */
public record RunOptions(Path outputRoot, int evalPrompts) {

    public static final int DEFAULT_EVAL_PROMPTS = 1280;
}
