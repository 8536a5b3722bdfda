package io.jpod.engine.build;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Docker's word rules for the instructions the builder expands itself (FROM, COPY, ADD, ENV, ARG, LABEL, WORKDIR,
 * USER, EXPOSE, VOLUME, STOPSIGNAL): single quotes are literal, double quotes group and still expand, the escape
 * character makes the next character literal, and {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-word}},
 * {@code ${VAR-word}}, {@code ${VAR:+word}}, {@code ${VAR+word}}, {@code ${VAR:?message}} expand from env (null: unset).
 * RUN, CMD and ENTRYPOINT are not expanded here: their shell does it.
 */
public final class ShellWords {
    private final String s;
    private final Function<String, String> env;
    private final char escape;
    private int pos;

    private ShellWords(String s, Function<String, String> env, char escape) {
        this.s = s;
        this.env = env;
        this.escape = escape;
    }

    /** The whole text as one word: quotes removed, variables expanded, whitespace kept. */
    public static String expand(String text, Function<String, String> env, char escape) {
        List<String> words = new ShellWords(text, env, escape).run(false, (char) 0);
        return words.isEmpty() ? "" : words.get(0);
    }

    /** Only the variables of the text expanded; quotes and escapes stay as they are (here-documents). */
    public static String expandVariables(String text, Function<String, String> env) {
        ShellWords w = new ShellWords(text, env, (char) 0);
        StringBuilder b = new StringBuilder();
        while (w.pos < text.length()) {
            char c = text.charAt(w.pos++);
            b.append(c == '$' ? w.dollar() : String.valueOf(c));
        }
        return b.toString();
    }

    /** The text split into words at unquoted whitespace, each expanded. */
    public static List<String> words(String text, Function<String, String> env, char escape) {
        return new ShellWords(text, env, escape).run(true, (char) 0);
    }

    /** The text split at unquoted whitespace with quotes and escapes kept (for KEY=VALUE lists). */
    public static List<String> rawWords(String text, char escape) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            w.append(c);
            if (c == escape && quote != '\'' && i + 1 < text.length()) {
                w.append(text.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }

    private List<String> run(boolean split, char stopAt) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false; // an empty word that was quoted ("") is kept; an unquoted empty one (unset $X) is not
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (stopAt != 0 && c == stopAt) {
                break;
            }
            pos++;
            if (split && Character.isWhitespace(c)) {
                if (quoted || !w.isEmpty()) {
                    words.add(w.toString());
                }
                w.setLength(0);
                quoted = false;
                continue;
            }
            quoted |= c == '\'' || c == '"';
            if (c == escape) {
                if (pos < s.length()) {
                    w.append(s.charAt(pos++));
                } else {
                    w.append(c);
                }
            } else if (c == '\'') {
                int end = s.indexOf('\'', pos);
                if (end < 0) {
                    throw new IllegalArgumentException("unexpected end of text while looking for matching single-quote");
                }
                w.append(s, pos, end);
                pos = end + 1;
            } else if (c == '"') {
                doubleQuoted(w);
            } else if (c == '$') {
                w.append(dollar());
            } else {
                w.append(c);
            }
        }
        if (quoted || !w.isEmpty() || !split) {
            words.add(w.toString());
        }
        return words;
    }

    private void doubleQuoted(StringBuilder w) {
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return;
            }
            if (c == escape && pos < s.length()) {
                char next = s.charAt(pos);
                if (next == '"' || next == '$' || next == escape) {
                    w.append(next);
                    pos++;
                } else {
                    w.append(c);
                }
            } else if (c == '$') {
                w.append(dollar());
            } else {
                w.append(c);
            }
        }
        throw new IllegalArgumentException("unexpected end of text while looking for matching double-quote");
    }

    /** After a '$': the expansion, or "$" itself when no name follows. */
    private String dollar() {
        if (pos >= s.length()) {
            return "$";
        }
        if (s.charAt(pos) != '{') {
            String name = name();
            if (name.isEmpty()) {
                return "$";
            }
            String v = env.apply(name);
            return v == null ? "" : v;
        }
        pos++;
        String name = name();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("bad substitution: a variable name must follow ${");
        }
        if (pos >= s.length()) {
            throw new IllegalArgumentException("missing '}' in ${" + name);
        }
        char c = s.charAt(pos);
        String value = env.apply(name);
        if (c == '}') {
            pos++;
            return value == null ? "" : value;
        }
        boolean colon = c == ':';
        if (colon) {
            pos++;
        }
        if (pos >= s.length()) {
            throw new IllegalArgumentException("missing '}' in ${" + name);
        }
        char op = s.charAt(pos++);
        String word = run(false, '}').get(0);
        if (pos >= s.length() || s.charAt(pos) != '}') {
            throw new IllegalArgumentException("missing '}' in ${" + name);
        }
        pos++;
        boolean unset = value == null || (colon && value.isEmpty());
        return switch (op) {
            case '-' -> unset ? word : value;
            case '+' -> unset ? "" : word;
            case '?' -> {
                if (unset) {
                    throw new IllegalArgumentException(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                }
                yield value;
            }
            default -> throw new IllegalArgumentException("unsupported modifier (" + op + ") in substitution ${" + name + "…}");
        };
    }

    private String name() {
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
            pos++;
        }
        return s.substring(start, pos);
    }
}
