package org.layerwise.ui.results;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.Platform;
import org.eclipse.swt.widgets.Composite;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.runner.RunDirectory;
import org.osgi.framework.Bundle;

/**
 * One contribution to {@code org.layerwise.ui.resultViews}: a run view bound to what analyzers
 * declare in their {@code <output>}s. The panel class is loaded from the contributing bundle only
 * when the view opens.
 *
 * @param id          the view's id (also the secondary id of its {@link ResultViewPart})
 * @param name        its tab label
 * @param description its tooltip
 * @param bundle      the contributing bundle (a fragment's host)
 * @param panelClass  a {@link RunPanel} subclass with a public constructor taking the parent Composite
 * @param icon        the tab icon, a path inside the bundle, or null
 * @param order       where it goes among the run views (lower first)
 * @param reads       the analyzer outputs it shows
 * @param element     its plugin.xml element (null for one made in code)
 */
public record ResultView(String id, String name, String description, String bundle, String panelClass, String icon, int order,
        List<Read> reads, IConfigurationElement element) {

    /**
     * An analyzer output the view shows: the output named {@code output} of kind table (NAME.csv),
     * tensors (NAME.npz) or scalars (metrics.json analyzers.ANALYZER) of analyzer {@code analyzer}.
     * Without a required one the view does not show the run and says which output is missing; an
     * optional one the panel does without.
     */
    public record Read(String analyzer, String output, String kind, boolean required) {

        /** Whether the run has this output. */
        public boolean present(RunDirectory run) {
            return switch (kind) {
                case ContributionDescriptor.Output.TABLE -> Files.isRegularFile(run.path().resolve(output + ".csv"));
                case ContributionDescriptor.Output.TENSORS -> Files.isRegularFile(run.path().resolve(output + ".npz"));
                default -> !run.scalars(analyzer).isEmpty();
            };
        }

        /** The output in words: "the table 'x' (x.csv) of analyzer 'y'". */
        public String describe() {
            String file = switch (kind) {
                case ContributionDescriptor.Output.TABLE -> output + ".csv";
                case ContributionDescriptor.Output.TENSORS -> output + ".npz";
                default -> "metrics.json analyzers." + analyzer;
            };
            String what = ContributionDescriptor.Output.SCALARS.equals(kind) ? "scalars" : kind;
            return "the " + what + " '" + output + "' (" + file + ") of analyzer '" + analyzer + "'";
        }
    }

    public ResultView {
        reads = List.copyOf(reads);
    }

    /** Where the contribution comes from, as every message about it says it. */
    public String origin() {
        return "bundle " + bundle + ", extension point " + ResultViews.EXTENSION_POINT + ", id '" + id + "'";
    }

    /**
     * Why the run cannot be shown, in words, or null when every required output is there: which
     * analyzer's output is missing, and whether the analyzer did not run or ran without writing it.
     */
    public String missing(RunDirectory run, ContributionRegistry registry) {
        List<String> lines = new ArrayList<>();
        List<String> ran = AnalyzerOutputs.of(run, registry).stream().map(AnalyzerOutputs.Analyzer::id).toList();
        for (Read r : reads) {
            if (!r.required() || r.present(run)) {
                continue;
            }
            ContributionDescriptor analyzer = registry.find(Role.ANALYZER, r.analyzer());
            String fix = ran.contains(r.analyzer()) ? "the analyzer ran but did not write it"
                    : analyzer == null ? "the analyzer '" + r.analyzer() + "' is not installed and not in this run"
                            : "add the analyzer '" + r.analyzer() + "' (" + analyzer.name() + ", bundle " + analyzer.bundle()
                                    + ") to the pipeline";
            lines.add(r.describe() + ", which this run lacks: " + fix);
        }
        return lines.isEmpty() ? null : name + " needs " + String.join("; and ", lines) + ".";
    }

    /**
     * Creates the panel in parent: loads the class from the contributing bundle and calls its
     * (Composite) constructor. Failures are thrown as they are (the caller guards the call).
     */
    public RunPanel createPanel(Composite parent) throws Exception {
        // the contributor's name is a fragment's host, whose class loader also sees the fragment's classes
        Bundle b = element == null ? null : Platform.getBundle(bundle);
        if (element != null && b == null) {
            throw new ClassNotFoundException(panelClass + ": bundle " + bundle + " is not installed");
        }
        Class<?> c = b == null ? Class.forName(panelClass) : b.loadClass(panelClass);
        if (!RunPanel.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException(panelClass + " is not a " + RunPanel.class.getName());
        }
        Constructor<? extends RunPanel> constructor = c.asSubclass(RunPanel.class).getConstructor(Composite.class);
        try {
            return constructor.newInstance(parent);
        } catch (InvocationTargetException e) { // what the constructor threw, as it threw it
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }
}
