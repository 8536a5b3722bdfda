package io.jpod.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * podman's (cobra's) shapes for help and for command-line mistakes, generated from picocli's model of the commands
 * that are built: the usage line ({@code podman rm [options] CONTAINER [CONTAINER...]}, {@code podman image
 * [command]}), "Available Commands:" and "Options:" sections, and the one-line errors cobra and pflag print ({@code
 * unknown flag: --x}, {@code `podman info` takes no arguments}, {@code accepts at most 1 arg(s), received 2},
 * {@code unrecognized command `podman image x`}). The program's name is the one it was invoked by, as cobra takes
 * it from argv[0]: a {@code podman} link to jpod reads as podman.
 */
final class CobraStyle {
    private static final String SECTION = "cobra";

    private CobraStyle() {
    }

    /** Renders every built command's help cobra's way; call after the commands are registered. */
    static void install(CommandLine root) {
        Map<String, CommandLine.IHelpSectionRenderer> sections = new java.util.HashMap<>();
        sections.put(SECTION, help -> render(help.commandSpec()));
        root.setHelpSectionKeys(List.of(SECTION));
        root.setHelpSectionMap(sections);
    }

    /** The program's name: the base name it was invoked by (the native client passes it on), else jpod. */
    static String programName(Map<String, String> env) {
        String p = env.get("JPOD_PROGRAM");
        if (p == null || p.isBlank()) {
            return "jpod";
        }
        String base = p.substring(p.lastIndexOf('/') + 1);
        return base.isEmpty() || base.startsWith("jpod-") ? "jpod" : base;
    }

    /** "podman image ls": the command as the user typed its path (`container X` keeps its group, see {@link Commands}). */
    static String commandPath(CommandSpec spec) {
        CommandSpec root = spec;
        while (root.parent() != null) {
            root = root.parent();
        }
        String qualified = spec.qualifiedName(" ");
        if (root.userObject() instanceof JpodCommand jpod && jpod.containerGroupAs != null && spec.parent() == root) {
            return root.name() + " container " + jpod.containerGroupAs;
        }
        if (root.userObject() instanceof JpodCommand jpod && spec.name().equals(jpod.kubeSpelledAs) && spec.parent() != null
                && spec.parent().name().equals("kube") && spec.parent().parent() == root) {
            return root.name() + " " + spec.name() + " kube"; // `generate kube --help` says so, as podman's does
        }
        return qualified;
    }

    private static boolean isGroup(CommandSpec spec) {
        return spec.helpCommand() || visibleSubcommands(spec).size() > 0 || spec.parent() == null;
    }

    /** The usage line after the command's path: "[command]" for a group, else "[options]" and the arguments. */
    static String synopsis(CommandSpec spec) {
        if (spec.parent() == null) {
            return "[options] [command]";
        }
        if (isGroup(spec)) {
            return "[command]";
        }
        if (spec.usageMessage().customSynopsis().length > 0) { // arguments podman spells in its own way
            return String.join(" ", spec.usageMessage().customSynopsis());
        }
        StringBuilder sb = new StringBuilder("[options]");
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) {
                continue;
            }
            String label = label(p);
            boolean many = p.isMultiValue() && (p.arity().isVariable() || p.arity().max() > 1 || p.index().isVariable()
                    || p.index().max() > p.index().min());
            sb.append(' ');
            if (p.arity().min() >= 1 && p.defaultValue() == null) {
                sb.append(label).append(many ? " [" + label + "...]" : "");
            } else {
                sb.append('[').append(label).append(many ? "..." : "").append(']');
            }
        }
        return sb.toString();
    }

    private static String label(PositionalParamSpec p) {
        String l = p.paramLabel();
        if (l.startsWith("<") && l.endsWith(">")) {
            l = l.substring(1, l.length() - 1);
        }
        return l.toUpperCase(java.util.Locale.ROOT);
    }

    /** Subcommands by their names (aliases once), hidden ones left out, sorted as cobra lists them. */
    static Map<String, CommandSpec> visibleSubcommands(CommandSpec spec) {
        Map<CommandLine, Boolean> seen = new IdentityHashMap<>();
        Map<String, CommandSpec> out = new TreeMap<>();
        for (CommandLine sub : spec.subcommands().values()) {
            if (seen.put(sub, true) == null && !sub.getCommandSpec().usageMessage().hidden()) {
                out.put(sub.getCommandName(), sub.getCommandSpec());
            }
        }
        if (spec.userObject() instanceof ContainerCommand) {
            // the top-level commands podman also lists under `container`, each once (its first name: ps, not ls)
            java.util.Set<String> targets = new java.util.HashSet<>();
            Commands.CONTAINER_GROUP.forEach((name, target) -> {
                if (targets.add(target)) {
                    out.putIfAbsent(name, null);
                }
            });
        }
        return out;
    }

    static String render(CommandSpec spec) {
        StringBuilder sb = new StringBuilder();
        String[] description = spec.usageMessage().description();
        sb.append(firstLine(spec)).append("\n\n");
        if (spec.parent() != null && description.length > 0) {
            sb.append("Description:\n");
            for (String line : description) {
                sb.append("  ").append(line.replace("%n", "\n  ").strip()).append('\n');
            }
            sb.append('\n');
        }
        sb.append("Usage:\n  ").append(commandPath(spec)).append(' ').append(synopsis(spec)).append("\n\n");
        Map<String, CommandSpec> subs = visibleSubcommands(spec);
        if (!subs.isEmpty()) {
            int width = subs.keySet().stream().mapToInt(String::length).max().orElse(0);
            sb.append("Available Commands:\n");
            subs.forEach((name, sub) -> sb.append("  ").append(pad(name, width)).append(' ').append(shortDescription(spec, name, sub))
                    .append('\n'));
            sb.append('\n');
        }
        if (!isGroup(spec) || spec.parent() == null) {
            List<String[]> rows = new ArrayList<>();
            for (OptionSpec o : spec.options()) {
                if (!o.hidden() && (!o.inherited() || spec.parent() == null)) { // global options only in the program's help
                    rows.add(new String[]{optionNames(o), o.description().length > 0 ? o.description()[0] : ""});
                }
            }
            rows.sort((a, b) -> a[0].strip().replaceFirst("^-[a-zA-Z], ", "").compareTo(b[0].strip().replaceFirst("^-[a-zA-Z], ", "")));
            int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
            sb.append("Options:\n");
            rows.forEach(r -> sb.append(pad(r[0], width)).append("   ").append(r[1]).append('\n'));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The first line of a command's header, else of its description (picocli's %n as a space). */
    static String firstLine(CommandSpec spec) {
        String[] h = spec.usageMessage().header();
        String[] d = spec.usageMessage().description();
        String first = h.length > 0 ? h[0] : d.length > 0 ? d[0] : "";
        return first.replace("%n", " ").strip();
    }

    private static String shortDescription(CommandSpec group, String name, CommandSpec sub) {
        if (sub == null) {
            CommandSpec root = group;
            while (root.parent() != null) {
                root = root.parent();
            }
            return "Same as `" + root.name() + " " + Commands.CONTAINER_GROUP.get(name) + "`";
        }
        return firstLine(sub);
    }

    private static String optionNames(OptionSpec o) {
        String shortName = null;
        String longName = null;
        for (String n : o.names()) {
            if (n.startsWith("--")) {
                longName = longName == null ? n : longName;
            } else if (shortName == null) {
                shortName = n;
            }
        }
        String names = (shortName != null ? "  " + shortName + (longName != null ? ", " : "") : "      ") + (longName != null ? longName : "");
        if (o.arity().max() > 0 && !(o.type() == boolean.class || o.type() == Boolean.class)) {
            names += " " + typeName(o);
        }
        return names;
    }

    private static String typeName(OptionSpec o) {
        Class<?> t = o.type();
        if (o.isMultiValue()) {
            return "stringArray";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "int";
        }
        return "string";
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    // ---------------------------------------------------------------- errors

    /**
     * cobra's and pflag's one line for a command line picocli refused (without "Error: "), or null to keep picocli's
     * own message.
     */
    static String message(CommandLine.ParameterException ex, String[] args) {
        CommandSpec spec = ex.getCommandLine().getCommandSpec();
        String path = commandPath(spec);
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            List<String> unmatched = u.getUnmatched();
            for (String a : unmatched) {
                if (a.startsWith("--") && a.length() > 2) {
                    int eq = a.indexOf('=');
                    return "unknown flag: " + (eq < 0 ? a : a.substring(0, eq));
                }
                if (a.startsWith("-") && a.length() > 1) {
                    return "unknown shorthand flag: '" + a.charAt(1) + "' in " + a;
                }
            }
            if (isGroup(spec)) {
                return "unrecognized command `" + path + " " + unmatched.get(0) + "`";
            }
            int max = maxArgs(spec);
            if (max == 0) {
                return "`" + path + "` takes no arguments";
            }
            return "accepts at most " + max + " arg(s), received " + (max + unmatched.size());
        }
        if (ex instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec missing = m.getMissing().get(0);
            if (missing instanceof OptionSpec o) {
                String used = usedName(o, args);
                return used.startsWith("--") ? "flag needs an argument: " + used
                        : "flag needs an argument: '" + used.substring(1) + "' in " + used;
            }
            if (m.getMissing().stream().allMatch(ArgSpec::isPositional)) {
                int min = 0;
                for (PositionalParamSpec p : spec.positionalParameters()) {
                    min += p.arity().min();
                }
                int max = maxArgs(spec);
                int given = givenPositionals(ex);
                return min == max ? "accepts " + min + " arg(s), received " + given
                        : "requires at least " + min + " arg(s), only received " + given;
            }
        }
        return null;
    }

    /** The most positional arguments the command takes (Integer.MAX_VALUE: no limit). */
    private static int maxArgs(CommandSpec spec) {
        long max = 0;
        for (PositionalParamSpec p : spec.positionalParameters()) {
            max += p.arity().isVariable() ? Integer.MAX_VALUE : p.arity().max();
        }
        return (int) Math.min(max, Integer.MAX_VALUE);
    }

    private static int givenPositionals(CommandLine.ParameterException ex) {
        CommandLine.ParseResult pr = ex.getCommandLine().getParseResult();
        if (pr == null) {
            return 0;
        }
        int n = 0;
        for (PositionalParamSpec p : pr.matchedPositionals()) {
            n += p.stringValues().size();
        }
        return n;
    }

    /** The name of {@code o} as the command line gave it (the last mention wins), else its longest name. */
    private static String usedName(OptionSpec o, String[] args) {
        for (int i = args.length - 1; i >= 0; i--) {
            for (String n : o.names()) {
                if (args[i].equals(n) || args[i].startsWith(n + "=")) {
                    return n;
                }
            }
        }
        return o.longestName();
    }
}
