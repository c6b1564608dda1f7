package org.layerwise.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.Role;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineSpec;

/**
 * The pipeline of one point: the sweep's pipeline with the point's seed and every coordinate
 * applied. An axis that chooses a contribution replaces the stage (its settings are dropped,
 * unless the value is the contribution the pipeline already has); an axis STAGE.SETTING then
 * sets one setting, and the validator names the axis when the value is refused.
 */
public final class PointPipelines {

    private PointPipelines() {
    }

    /** @param origin how messages name the sweep, e.g. "depth.sweep" */
    public static PipelineSpec apply(PipelineSpec base, SweepPoint point, String origin) throws PipelineException {
        List<PipelineSpec.Stage> stages = new ArrayList<>();
        for (PipelineSpec.Stage s : base.stages()) {
            stages.add(new PipelineSpec.Stage(s.role(), s.id(), s.settings(), s.line(), s.overrides()));
        }
        List<String> applied = new ArrayList<>(base.overrides());
        for (Map.Entry<String, String> c : point.coordinates().entrySet()) {
            if (c.getKey().indexOf('.') < 0) {
                choose(stages, c.getKey(), c.getValue(), base, origin);
                applied.add(c.getKey() + "=" + c.getValue());
            }
        }
        for (Map.Entry<String, String> c : point.coordinates().entrySet()) {
            String axis = c.getKey();
            int dot = axis.indexOf('.');
            if (dot < 0) {
                continue;
            }
            String address = axis.substring(0, dot);
            String key = axis.substring(dot + 1);
            PipelineSpec.Stage target = stages.stream().filter(s -> s.address().equals(address)).findFirst().orElse(null);
            if (target == null) {
                throw new PipelineException(ExitCode.INVALID_SETTING, origin + ": axis '" + axis + "': the pipeline "
                        + where(base) + " has no stage '" + address + "'; stages: "
                        + String.join(", ", stages.stream().map(PipelineSpec.Stage::address).toList()));
            }
            target.settings().put(key, c.getValue());
            target.overrides().put(key, "axis " + axis + "=" + c.getValue() + " of " + origin);
            applied.add(axis + "=" + c.getValue());
        }
        return new PipelineSpec(base.name(), point.seed(), stages, base.file(), applied);
    }

    private static void choose(List<PipelineSpec.Stage> stages, String axis, String id, PipelineSpec base, String origin)
            throws PipelineException {
        Role role = null;
        for (Role r : Role.values()) {
            if (r.key.equals(axis) && r != Role.ANALYZER) {
                role = r;
            }
        }
        if (role == null) {
            throw new PipelineException(ExitCode.INVALID_SETTING, origin + ": axis '" + axis + "': a bare axis chooses the "
                    + "contribution of a stage and must be task, backend or enforcer; to vary a setting write STAGE.SETTING");
        }
        for (int i = 0; i < stages.size(); i++) {
            PipelineSpec.Stage s = stages.get(i);
            if (s.role() == role) {
                if (!s.id().equals(id)) {
                    stages.set(i, new PipelineSpec.Stage(role, id, new LinkedHashMap<>(), s.line(),
                            Map.of()));
                }
                return;
            }
        }
        if (role != Role.ENFORCER) {
            throw new PipelineException(ExitCode.INCOMPATIBLE_STAGES, origin + ": axis '" + axis + "': the pipeline " + where(base)
                    + " has no " + axis + " stage to replace");
        }
        // A pipeline without an enforcer gets one where the runner expects it: after the backend.
        int at = 0;
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i).role() == Role.TASK || stages.get(i).role() == Role.BACKEND) {
                at = i + 1;
            }
        }
        stages.add(at, new PipelineSpec.Stage(role, id, new LinkedHashMap<>(), 0, Map.of()));
    }

    private static String where(PipelineSpec base) {
        return base.file() == null ? "'" + base.name() + "'" : base.file().getFileName().toString();
    }
}
