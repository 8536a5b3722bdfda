package io.jpod.engine.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The KEY=VALUE lists of ENV, LABEL and ARG, with Docker's legacy one-pair form {@code ENV KEY VALUE…}. */
final class KeyValues {
    private KeyValues() {
    }

    /**
     * ENV and LABEL: pairs in order; values expanded (keys too, which may be quoted). legacyAllowed: `ENV KEY rest of
     * line`. A word without '=' is an error naming it.
     */
    static List<Map.Entry<String, String>> pairs(String keyword, String args, Function<String, String> env, char escape,
                                                 boolean legacyAllowed) {
        List<String> raw = ShellWords.rawWords(args, escape);
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (raw.isEmpty()) {
            throw new IllegalArgumentException(keyword + " requires at least one KEY=VALUE");
        }
        if (legacyAllowed && !raw.get(0).contains("=")) {
            String key = raw.get(0);
            String rest = args.strip().substring(key.length()).strip();
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(keyword + " " + key + " needs a value: " + keyword + " KEY=VALUE");
            }
            out.add(Map.entry(key, ShellWords.expand(rest, env, escape)));
            return out;
        }
        for (String w : raw) {
            int eq = w.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("syntax error in " + keyword + ": \"" + w + "\" is not KEY=VALUE");
            }
            String key = ShellWords.expand(w.substring(0, eq), env, escape);
            if (key.isEmpty()) {
                throw new IllegalArgumentException(keyword + " names can not be blank");
            }
            out.add(Map.entry(key, ShellWords.expand(w.substring(eq + 1), env, escape)));
        }
        return out;
    }

    /** ARG NAME[=DEFAULT]…: name → default (null when none). */
    static List<Map.Entry<String, String>> args(String args, Function<String, String> env, char escape) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String w : ShellWords.rawWords(args, escape)) {
            int eq = w.indexOf('=');
            String name = eq < 0 ? w : w.substring(0, eq);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("invalid ARG name \"" + name + "\"");
            }
            out.add(new java.util.AbstractMap.SimpleEntry<>(name, eq < 0 ? null : ShellWords.expand(w.substring(eq + 1), env, escape)));
        }
        return out;
    }
}
