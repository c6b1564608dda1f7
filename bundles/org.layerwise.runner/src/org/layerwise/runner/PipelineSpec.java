package org.layerwise.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.Role;

/**
 * A pipeline as plain values: ordered stages of (role, contribution id, raw settings). The
 * EMF model of a *.layerwise file maps onto it one to one; validation and the runner work on it.
 */
public record PipelineSpec(String name, long seed, List<Stage> stages, Path file, List<String> overrides) {

    public PipelineSpec {
        stages = List.copyOf(stages);
        overrides = List.copyOf(overrides);
    }

    public PipelineSpec(String name, long seed, List<Stage> stages, Path file) {
        this(name, seed, stages, file, List.of());
    }

    /**
     * One stage; line is where it starts in the file (0 if unknown); overrides maps each setting
     * set on the command line to the option that set it, so a bad value is reported there.
     */
    public record Stage(Role role, String id, Map<String, String> settings, int line, Map<String, String> overrides) {
        public Stage {
            settings = new LinkedHashMap<>(settings);
            overrides = new LinkedHashMap<>(overrides == null ? Map.of() : overrides);
        }

        public Stage(Role role, String id, Map<String, String> settings, int line) {
            this(role, id, settings, line, Map.of());
        }

        /** How --set addresses it: the role, or the analyzer's id. */
        public String address() {
            return role == Role.ANALYZER ? id : role.key;
        }

        public String label() {
            return role.key + " '" + id + "'";
        }
    }

    public PipelineSpec withSeed(long newSeed) {
        return new PipelineSpec(name, newSeed, stages, file, overrides);
    }

    /**
     * Applies command-line overrides STAGE.SETTING=VALUE, STAGE being task, backend, enforcer
     * or an analyzer id. Values are checked later, exactly like values from the file.
     */
    public PipelineSpec withOverrides(List<String> assignments) throws PipelineException {
        List<Stage> out = new ArrayList<>();
        for (Stage s : stages) {
            out.add(new Stage(s.role(), s.id(), s.settings(), s.line(), s.overrides()));
        }
        for (String a : assignments) {
            int eq = a.indexOf('=');
            int dot = a.indexOf('.');
            if (eq < 0 || dot < 0 || dot > eq) {
                throw new PipelineException(ExitCode.USAGE,
                        "--set " + a + ": expected STAGE.SETTING=VALUE, e.g. --set backend.steps=500");
            }
            String address = a.substring(0, dot);
            String key = a.substring(dot + 1, eq);
            String value = a.substring(eq + 1);
            Stage target = out.stream().filter(s -> s.address().equals(address)).findFirst().orElse(null);
            if (target == null) {
                throw new PipelineException(ExitCode.INVALID_SETTING, "--set " + a + ": no stage '" + address
                        + "' in " + (file == null ? name : file) + "; stages: "
                        + String.join(", ", out.stream().map(Stage::address).toList()));
            }
            target.settings().put(key, value);
            target.overrides().put(key, "--set " + a);
        }
        List<String> all = new ArrayList<>(overrides);
        all.addAll(assignments);
        return new PipelineSpec(name, seed, out, file, all);
    }
}
