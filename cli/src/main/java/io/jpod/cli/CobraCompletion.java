package io.jpod.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * cobra's hidden completion protocol, which podman's shell scripts (and its tests) call: {@code PROG __complete
 * WORDS… TYPED} prints one candidate a line ({@code __complete}: "VALUE\tDESCRIPTION"; {@code __completeNoDesc}:
 * the value only), then {@code :DIRECTIVE} (cobra's bit set: 1 error, 2 no space, 4 no file completion), and on
 * stderr "Completion ended with directive: …". Everything is read from picocli's model of jpod's commands, never
 * from lists per command: the words are walked as the parser would (subcommands, options and whether they take a
 * value, positionals), and what a positional accepts comes from its label (CONTAINER, IMAGE, POD, NETWORK,
 * VOLUME; NAME in the volume, network and pod groups; a COMMAND after an IMAGE is a path in that image;
 * [CONTAINER:]… a container or a path in it). Other positionals and option values get cobra's default directive:
 * the shell completes host files itself.
 */
final class CobraCompletion {
    static final int ERROR = 1;
    static final int NO_SPACE = 2;
    static final int NO_FILE_COMP = 4;
    static final String WITH_DESCRIPTIONS = "__complete";
    static final String WITHOUT_DESCRIPTIONS = "__completeNoDesc";

    /** Where the words come from: names of the store's objects and paths inside images and containers. */
    interface Sources {
        /** The names (and ids) of CONTAINER, IMAGE, POD, NETWORK or VOLUME objects that may complete {@code typed}. */
        List<String> names(String kind, String typed);

        /** Paths in the image or container {@code ref} completing {@code typed}; noSpace as cobra's directive bit. */
        Paths paths(String kind, String ref, String typed);
    }

    record Paths(List<String> values, boolean noSpace) {
    }

    /** The candidates (each "VALUE" or "VALUE\tDESCRIPTION") and the directive. */
    record Result(List<String[]> candidates, int directive) {
    }

    private CobraCompletion() {
    }

    static boolean isRequest(String[] args) {
        return args.length > 0 && (args[0].equals(WITH_DESCRIPTIONS) || args[0].equals(WITHOUT_DESCRIPTIONS));
    }

    /** Answers {@code args} (the protocol's word first) on out and err; always 0, as cobra's command does. */
    static int run(CommandSpec root, String[] args, Sources sources, PrintStream out, PrintStream err) {
        boolean descriptions = args[0].equals(WITH_DESCRIPTIONS);
        List<String> words = new ArrayList<>(List.of(args).subList(1, args.length));
        String typed = words.isEmpty() ? "" : words.remove(words.size() - 1);
        // `container inspect …` is the top-level command, as when it runs
        String group = Commands.containerGroupName(words.toArray(String[]::new));
        words = new ArrayList<>(List.of(Commands.containerGroupAlias(words.toArray(String[]::new))));
        Result r;
        try {
            r = complete(root, words, typed, sources, group);
        } catch (RuntimeException e) { // cobra: a failing completion function answers with the error directive
            r = new Result(List.of(), ERROR);
        }
        for (String[] c : r.candidates()) {
            out.println(descriptions && c.length > 1 && !c[1].isEmpty() ? c[0] + "\t" + c[1] : c[0]);
        }
        out.println(":" + r.directive());
        out.flush();
        err.println("Completion ended with directive: " + directiveName(r.directive()));
        return 0;
    }

    /** cobra's names of the directive's bits, ", "-joined; none set is the default. */
    static String directiveName(int d) {
        List<String> names = new ArrayList<>();
        if ((d & ERROR) != 0) {
            names.add("ShellCompDirectiveError");
        }
        if ((d & NO_SPACE) != 0) {
            names.add("ShellCompDirectiveNoSpace");
        }
        if ((d & NO_FILE_COMP) != 0) {
            names.add("ShellCompDirectiveNoFileComp");
        }
        return names.isEmpty() ? "ShellCompDirectiveDefault" : String.join(", ", names);
    }

    /** What the words before {@code typed} reached: a command, the positionals given to it, an option awaiting its value. */
    record Position(CommandSpec command, List<String> positionals, OptionSpec awaitingValue, boolean optionsEnded) {
    }

    static Position locate(CommandSpec root, List<String> words) {
        CommandSpec spec = root;
        List<String> positionals = new ArrayList<>();
        OptionSpec awaiting = null;
        boolean optionsEnded = false;
        for (String w : words) {
            if (awaiting != null) {
                awaiting = null;
                continue;
            }
            if (!optionsEnded && w.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (!optionsEnded && w.startsWith("-") && w.length() > 1) {
                OptionSpec o = option(spec, w.contains("=") ? w.substring(0, w.indexOf('=')) : w);
                boolean inlineValue = w.contains("=") || (!w.startsWith("--") && w.length() > 2); // --x=v, -t0
                if (o != null && !inlineValue && o.arity().min() > 0) {
                    awaiting = o;
                }
                continue;
            }
            Map<String, picocli.CommandLine> subs = spec.subcommands();
            if (positionals.isEmpty() && subs.containsKey(w)) {
                spec = subs.get(w).getCommandSpec();
                continue;
            }
            positionals.add(w);
            if (spec.parser().stopAtPositional()) {
                optionsEnded = true; // run IMAGE CMD…: the rest is the container's command
            }
        }
        return new Position(spec, positionals, awaiting, optionsEnded);
    }

    /** The option named {@code name} of the command or of a command above it (global options). */
    private static OptionSpec option(CommandSpec spec, String name) {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            OptionSpec o = s.findOption(name);
            if (o != null) {
                return o;
            }
        }
        return null;
    }

    static Result complete(CommandSpec root, List<String> words, String typed, Sources sources) {
        return complete(root, words, typed, sources, null);
    }

    /** @param containerGroup the command's name when given as {@code container NAME} (podman's group), else null */
    static Result complete(CommandSpec root, List<String> words, String typed, Sources sources, String containerGroup) {
        Position p = locate(root, words);
        CommandSpec spec = p.command();
        if (p.awaitingValue() != null) {
            if (p.awaitingValue().longestName().equals("--format") && typed.startsWith("{{")) {
                return new Result(FormatFields.candidates(spec, containerGroup, typed), NO_SPACE | NO_FILE_COMP); // podman's AutocompleteFormat
            }
            return new Result(List.of(), 0); // an option's value: the shell's own file completion
        }
        if (!p.optionsEnded() && typed.startsWith("-")) {
            return new Result(options(spec, typed), NO_FILE_COMP);
        }
        Map<String, CommandSpec> subs = CobraStyle.visibleSubcommands(spec);
        if (!subs.isEmpty() && p.positionals().isEmpty()) {
            List<String[]> out = new ArrayList<>();
            subs.forEach((name, sub) -> {
                if (name.startsWith(typed)) {
                    out.add(new String[]{name, firstLine(sub.usageMessage().description())});
                }
            });
            return new Result(out, NO_FILE_COMP);
        }
        PositionalParamSpec param = positional(spec, p.positionals().size());
        if (param == null) {
            return new Result(List.of(), NO_FILE_COMP); // the command takes no more arguments
        }
        String label = param.paramLabel().replaceAll("[<>]", "").toUpperCase(Locale.ROOT);
        if (label.startsWith("[CONTAINER:]")) {
            int colon = typed.indexOf(':');
            if (colon < 0) { // a container first, its colon attached, no space after it
                return new Result(values(sources.names("CONTAINER", typed).stream().map(n -> n + ":").toList(), typed), NO_SPACE);
            }
            Paths paths = sources.paths("CONTAINER", typed.substring(0, colon), typed.substring(colon + 1));
            String prefix = typed.substring(0, colon + 1);
            return new Result(paths.values().stream().map(v -> new String[]{prefix + v}).toList(), NO_SPACE);
        }
        if (label.startsWith("COMMAND")) { // after an IMAGE: a path in that image
            int image = positionalIndexOf(spec, "IMAGE");
            if (image >= 0 && image < p.positionals().size()) {
                Paths paths = sources.paths("IMAGE", p.positionals().get(image), typed);
                return new Result(paths.values().stream().map(v -> new String[]{v}).toList(), paths.noSpace() ? NO_SPACE : 0);
            }
            return new Result(List.of(), 0);
        }
        List<String> kinds = kinds(label, spec);
        if (kinds.isEmpty()) {
            return new Result(List.of(), 0);
        }
        List<String> names = new ArrayList<>();
        for (String kind : kinds) {
            names.addAll(sources.names(kind, typed));
        }
        return new Result(values(names, typed), NO_FILE_COMP);
    }

    /** The store objects a positional's label names; NAME by the group it is in (volume rm NAME, network rm NAME). */
    static List<String> kinds(String label, CommandSpec spec) {
        List<String> kinds = new ArrayList<>();
        for (String kind : List.of("CONTAINER", "IMAGE", "POD", "NETWORK", "VOLUME")) {
            if (label.contains(kind)) {
                kinds.add(kind);
            }
        }
        if (kinds.isEmpty() && label.equals("NAME") && spec.parent() != null && spec.parent().parent() != null) {
            String group = spec.parent().name().toUpperCase(Locale.ROOT);
            if (List.of("POD", "NETWORK", "VOLUME").contains(group) && !spec.name().equals("create")) {
                kinds.add(group);
            }
        }
        return kinds;
    }

    private static PositionalParamSpec positional(CommandSpec spec, int index) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden() && p.index().contains(index)) {
                return p;
            }
        }
        return null;
    }

    private static int positionalIndexOf(CommandSpec spec, String label) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.paramLabel().replaceAll("[<>]", "").equalsIgnoreCase(label)) {
                return p.index().min();
            }
        }
        return -1;
    }

    /** The command's options (and the global ones) that start with {@code typed}: long names, short ones for "-". */
    private static List<String[]> options(CommandSpec spec, String typed) {
        List<String[]> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (OptionSpec o : spec.options()) { // picocli lists the inherited (global) options here too
            if (o.hidden()) {
                continue;
            }
            String description = firstLine(o.description());
            for (String name : o.names()) {
                boolean isLong = name.startsWith("--");
                if ((isLong || !typed.startsWith("--")) && name.startsWith(typed) && seen.add(name)) {
                    out.add(new String[]{name, description});
                }
            }
        }
        return out;
    }

    private static List<String[]> values(List<String> names, String typed) {
        List<String[]> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (String n : names) {
            if (n.startsWith(typed) && seen.add(n)) {
                out.add(new String[]{n});
            }
        }
        return out;
    }

    private static String firstLine(String[] text) {
        return text == null || text.length == 0 ? "" : text[0].lines().findFirst().orElse("").strip();
    }
}
