package org.layerwise.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code layerwise plugins add JAR|DIR|P2-SITE... | list | remove ID...}: manages the plugin
 * folder that both products read. The start script runs it in a plain JVM (no OSGi) as
 * {@code Plugins [--product DIR]... COMMAND ARGS}, the products naming Layerwise's own bundles.
 */
public final class Plugins {

    private Plugins() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command; returns its exit code (see {@link Exit}). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Map<String, String> own = new LinkedHashMap<>();
        int i = 0;
        try {
            for (; i + 1 < args.length && args[i].equals("--product"); i += 2) {
                Path product = Path.of(args[i + 1]);
                String name = product.getFileName().toString().replaceFirst("^layerwise-", "");
                LaunchConfiguration.productBundles(product).forEach((id, v) -> own.putIfAbsent(id, v + " in the " + name + " product"));
            }
        } catch (IOException e) {
            err.println("layerwise: cannot read the product: " + e.getMessage());
            return Exit.FOLDER.code;
        }
        List<String> rest = List.of(args).subList(i, args.length);
        PluginFolder folder = new PluginFolder(PluginFolder.location(env), own);
        String command = rest.isEmpty() ? "" : rest.get(0);
        List<String> operands = rest.isEmpty() ? List.of() : rest.subList(1, rest.size());
        try {
            switch (command) {
                case "add" -> {
                    if (operands.isEmpty()) {
                        return usage(err, "plugins add needs a JAR, DIR or P2-SITE");
                    }
                    for (String s : operands) {
                        folder.add(s).forEach(out::println);
                    }
                    out.println("The next start of either product uses it; ./layerwise list shows its contributions.");
                }
                case "remove" -> {
                    if (operands.isEmpty()) {
                        return usage(err, "plugins remove needs the id of a plugin (plugins list shows them)");
                    }
                    for (String id : operands) {
                        folder.remove(id).forEach(out::println);
                    }
                }
                case "list" -> {
                    if (!operands.isEmpty()) {
                        return usage(err, "plugins list takes no argument");
                    }
                    list(folder, env, out, err);
                }
                case "", "help", "--help", "-h" -> {
                    return usage(command.isEmpty() ? err : out, command.isEmpty() ? "plugins needs a command" : null);
                }
                default -> {
                    return usage(err, "unknown plugins command '" + command + "'");
                }
            }
        } catch (PluginException e) {
            err.println("layerwise: " + e.getMessage());
            return e.exit().code;
        }
        return Exit.OK.code;
    }

    private static void list(PluginFolder folder, Map<String, String> env, PrintStream out, PrintStream err) throws PluginException {
        String how = env.get(PluginFolder.ENV) != null && !env.get(PluginFolder.ENV).isBlank() ? "from " + PluginFolder.ENV
                : "the default; set " + PluginFolder.ENV + " to use another";
        out.println("Plugin folder: " + folder.dir() + " (" + how + ")" + (Files.isDirectory(folder.dir()) ? "" : ", not created yet"));
        PluginFolder.Listing l = folder.list();
        for (BundleFile b : l.bundles()) {
            out.printf("  %-40s %-24s %s%n", b.id(), b.version() + (b.fragment() ? " (fragment)" : ""), b.path().getFileName());
        }
        if (l.bundles().isEmpty()) {
            out.println("  (no plugins)");
        }
        l.problems().forEach(p -> err.println("layerwise: warning: " + p));
    }

    private static int usage(PrintStream to, String problem) {
        List<String> lines = new ArrayList<>();
        if (problem != null) {
            lines.add("layerwise: " + problem);
        }
        lines.add("usage: layerwise plugins add JAR|DIR|P2-SITE...   copy bundles into the plugin folder (a jar, an unpacked "
                + "bundle, a folder of jars, or a local p2 repository: a directory or file: URL)");
        lines.add("       layerwise plugins list                      the plugin folder and its bundles");
        lines.add("       layerwise plugins remove ID...              remove a plugin (every version of it)");
        lines.add("The folder is $" + PluginFolder.ENV + ", else ${XDG_DATA_HOME:-~/.local/share}/layerwise/plugins.");
        lines.forEach(to::println);
        return problem == null ? Exit.OK.code : Exit.USAGE.code;
    }
}
