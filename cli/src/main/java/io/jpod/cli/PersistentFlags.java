package io.jpod.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * podman's global options are cobra persistent flags: accepted after the command too ({@code podman events
 * --events-backend=file}). picocli reads jpod's only before the command, so they are moved there first: a word after
 * the command that is a global option the command itself has no option of that name for (with its value when it
 * takes one and none is attached) goes in front. Nothing moves after {@code --}, nor after the first positional of a
 * command that stops there (run IMAGE …, exec CONTAINER …: the rest is the container's).
 */
final class PersistentFlags {
    private PersistentFlags() {
    }

    static String[] hoist(CommandLine root, String[] args) {
        int command = -1;
        CommandSpec spec = root.getCommandSpec();
        int i = 0;
        for (; i < args.length; i++) { // the global options before the command, then the command and its subcommands
            String a = args[i];
            if (a.equals("--")) {
                return args;
            }
            if (a.startsWith("-") && a.length() > 1) {
                if (command >= 0) {
                    break;
                }
                OptionSpec o = spec.findOption(name(a));
                if (o != null && takesSeparateValue(o, a)) {
                    i++;
                }
                continue;
            }
            CommandLine sub = spec.subcommands().get(a);
            if (sub == null) {
                if (command < 0) {
                    return args; // no command found: nothing to do
                }
                break;
            }
            spec = sub.getCommandSpec();
            command = i;
        }
        if (command < 0 || spec == root.getCommandSpec()) {
            return args;
        }
        CommandSpec rootSpec = root.getCommandSpec();
        List<String> front = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        boolean stopAtPositional = spec.parser().stopAtPositional();
        boolean moved = false;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--") || (!a.startsWith("-") || a.length() == 1) && stopAtPositional) {
                for (; i < args.length; i++) {
                    rest.add(args[i]);
                }
                break;
            }
            if (!a.startsWith("-") || a.length() == 1) {
                rest.add(a);
                continue;
            }
            OptionSpec own = spec.findOption(name(a));
            OptionSpec global = own == null ? rootSpec.findOption(name(a)) : null;
            OptionSpec o = own != null ? own : global;
            List<String> target = global != null ? front : rest;
            moved |= global != null;
            target.add(a);
            if (o != null && takesSeparateValue(o, a) && i + 1 < args.length) {
                target.add(args[++i]);
            }
        }
        if (!moved) {
            return args;
        }
        List<String> out = new ArrayList<>(front); // first: before everything, as `jpod --flag … COMMAND`
        out.addAll(List.of(args).subList(0, command + 1));
        out.addAll(rest);
        return out.toArray(String[]::new);
    }

    private static String name(String word) {
        int eq = word.indexOf('=');
        return eq > 0 && word.startsWith("--") ? word.substring(0, eq) : word.startsWith("--") || word.length() <= 2 ? word : word.substring(0, 2);
    }

    private static boolean takesSeparateValue(OptionSpec o, String word) {
        return o.arity().min() > 0 && !word.contains("=") && (word.startsWith("--") || word.length() == 2);
    }
}
