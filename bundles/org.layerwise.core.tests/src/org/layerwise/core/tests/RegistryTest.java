package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionException;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Role;
import org.layerwise.core.SafeCall;

class RegistryTest {

    private final ContributionRegistry registry = ContributionRegistry.load();

    @Test
    void broken_contributions_are_reported_and_skipped_without_hiding_the_good_one() {
        ContributionDescriptor good = registry.find(Role.ANALYZER, "test-good");
        assertNotNull(good);
        assertEquals("level", good.settings().get(0).name());
        assertEquals(List.of(new ContributionDescriptor.Output("test-good", "scalars", "one scalar")), good.outputs());
        assertNull(registry.find(Role.ANALYZER, "test-bad-default"));
        assertNull(registry.find(Role.ANALYZER, "test-no-class"));
        String problems = String.join("\n", registry.problems());
        assertTrue(problems.contains("extension point org.layerwise.core.recursionAnalyzers, id 'test-bad-default'"), problems);
        assertTrue(problems.contains("invalid default"), problems);
        assertTrue(problems.contains("id 'test-no-class': missing attribute 'class'"), problems);
    }

    @Test
    void a_missing_class_fails_at_creation_naming_bundle_point_and_id() {
        ContributionDescriptor missing = registry.find(Role.ANALYZER, "test-missing-class");
        ContributionException e = assertThrows(ContributionException.class, () -> missing.create(RecursionAnalyzer.class));
        assertTrue(e.getMessage().startsWith("bundle org.layerwise.core, extension point org.layerwise.core.recursionAnalyzers, id 'test-missing-class'"),
                e.getMessage());
    }

    @Test
    void an_exception_inside_contributed_code_is_contained_and_named() throws Exception {
        ContributionDescriptor d = registry.find(Role.ANALYZER, "test-throws");
        RecursionAnalyzer analyzer = d.create(RecursionAnalyzer.class);
        ContributionException e = assertThrows(ContributionException.class,
                () -> SafeCall.call(d, "analyze", () -> analyzer.analyze(null)));
        assertTrue(e.getMessage().contains("id 'test-throws': analyze failed: deliberate failure"), e.getMessage());
    }

    @Test
    void a_duplicate_id_is_refused() {
        ContributionRegistry r = ContributionRegistry.empty();
        r.add(ContributionDescriptor.of(Role.TASK, "linear", "org.layerwise.tasks", List.of(), List.of(), new Object()));
        r.add(ContributionDescriptor.of(Role.TASK, "linear", "com.example.other", List.of(), List.of(), new Object()));
        assertEquals("org.layerwise.tasks", r.find(Role.TASK, "linear").bundle());
        assertTrue(r.problems().get(0).contains("bundle com.example.other"), r.problems().toString());
    }

    @Test
    void settings_resolve_with_defaults_and_reject_unknown_keys() throws Exception {
        ContributionDescriptor good = registry.find(Role.ANALYZER, "test-good");
        assertEquals(0.5, good.resolve(Map.of()).real("level"));
        assertEquals(0.25, good.resolve(Map.of("level", "0.25")).real("level"));
        var e = assertThrows(org.layerwise.core.InvalidSettingException.class, () -> good.resolve(Map.of("levle", "1")));
        assertTrue(e.getMessage().contains("unknown setting 'levle'; known settings: level"), e.getMessage());
    }
}
