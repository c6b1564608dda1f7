package org.layerwise.batch;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.osgi.container.Module;
import org.eclipse.osgi.report.resolution.ResolutionReport;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * Installed bundles that did not resolve, each with the requirements the framework could not
 * satisfy (Equinox's resolution report): a plugin whose contributions are missing says why.
 */
final class UnresolvedBundles {

    /** One unresolved bundle: its id, version, where it was installed from and what it is missing. */
    record Entry(String id, String version, String location, List<String> missing) {
    }

    private UnresolvedBundles() {
    }

    /** Every installed bundle in state INSTALLED (not resolved), resolving it once more to learn why. */
    static List<Entry> find() {
        Bundle self = FrameworkUtil.getBundle(UnresolvedBundles.class);
        BundleContext context = self == null ? null : self.getBundleContext();
        if (context == null) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.INSTALLED) {
                List<String> missing = missing(b);
                if (b.getState() == Bundle.INSTALLED) { // it may have resolved this time
                    entries.add(new Entry(b.getSymbolicName(), b.getVersion().toString(), b.getLocation(), missing));
                }
            }
        }
        return entries;
    }

    /** The unresolved requirements of b as the resolver words them, e.g. "Require-Bundle: com.example.missing". */
    static List<String> missing(Bundle b) {
        Module m = b.adapt(Module.class);
        if (m == null) {
            return List.of("(the framework gives no resolution report)");
        }
        ResolutionReport report = m.getContainer().resolve(List.of(m), false);
        String message = m.getCurrentRevision() == null ? null : report.getResolutionReportMessage(m.getCurrentRevision());
        if (message == null || message.isBlank()) {
            return List.of("(no reason given)");
        }
        List<String> lines = new ArrayList<>();
        for (String line : message.split("\\r?\\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !(lines.isEmpty() && t.startsWith(b.getSymbolicName() + " ["))) {
                lines.add(t.startsWith("Unresolved requirement: ") ? t.substring("Unresolved requirement: ".length()) : t);
            }
        }
        return lines.isEmpty() ? List.of(message.strip()) : lines;
    }
}
