package org.layerwise.pipeline.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.emf.ecore.util.EcoreUtil;
import org.junit.jupiter.api.Test;
import org.layerwise.core.Role;
import org.layerwise.pipeline.Pipelines;
import org.layerwise.pipeline.model.Pipeline;
import org.layerwise.pipeline.model.Stage;
import org.layerwise.pipeline.model.StageRole;

class PipelinesTest {

    @Test
    void stageKeepsSettingsInMapOrder() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("z", "1");
        settings.put("a", "2");
        settings.put("m", "3");
        Stage stage = Pipelines.stage(StageRole.ENFORCER, "reynolds", settings);
        assertEquals(StageRole.ENFORCER, stage.getRole());
        assertEquals("reynolds", stage.getContribution());
        assertEquals(List.of("z", "a", "m"), stage.getSettings().stream().map(Map.Entry::getKey).toList());
        assertEquals("2", stage.getSettings().get("a"));
    }

    @Test
    void copyIsDeepAndIndependent() {
        Pipeline original = Pipelines.pipeline("p", 5, Pipelines.stage(StageRole.TASK, "linear", Map.of("d", "8")));
        Pipeline copy = Pipelines.copy(original);
        assertTrue(EcoreUtil.equals(original, copy));
        assertNull(copy.eResource());
        copy.getStages().get(0).getSettings().put("d", "16");
        assertEquals("8", original.getStages().get(0).getSettings().get("d"));
        assertFalse(EcoreUtil.equals(original, copy));
    }

    @Test
    void defaultsOfTheModel() {
        Pipeline empty = Pipelines.pipeline(null, 0);
        assertEquals(0L, empty.getSeed());
        assertTrue(empty.getStages().isEmpty());
    }

    /** The file's role literals are the keys of org.layerwise.core.Role, one for one. */
    @Test
    void rolesMatchCoreContributionKinds() {
        assertEquals(Role.values().length, StageRole.VALUES.size());
        for (StageRole role : StageRole.VALUES) {
            assertEquals(role.getLiteral(), Pipelines.coreRole(role).key);
        }
    }
}
