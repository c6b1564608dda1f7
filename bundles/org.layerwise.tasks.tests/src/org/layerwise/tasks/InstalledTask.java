package org.layerwise.tasks;

import java.util.HashMap;
import java.util.Map;

import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.Role;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;

/** One installed task contribution, resolved as a pipeline would: its declared settings and a fresh generator. */
record InstalledTask<T extends TaskGenerator>(ContributionRegistry registry, String id, Class<T> type) {

    static <T extends TaskGenerator> InstalledTask<T> of(String id, Class<T> type) {
        return new InstalledTask<>(ContributionRegistry.load(), id, type);
    }

    /** The declared settings with these key/value overrides, checked against their declarations. */
    Settings settings(String... keyValues) throws InvalidSettingException {
        Map<String, String> raw = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        return registry.find(Role.TASK, id).resolve(raw);
    }

    /** A fresh generator, as the validator creates it. */
    T task() throws Exception {
        return type.cast(registry.find(Role.TASK, id).create(TaskGenerator.class));
    }
}
