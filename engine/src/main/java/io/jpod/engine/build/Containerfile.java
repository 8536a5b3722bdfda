package io.jpod.engine.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Containerfile/Dockerfile: the parser directives ({@code # escape=}, {@code # syntax=}) and the
 * instructions, with line continuations joined, comments dropped and here-documents attached to their instruction.
 * Parsing is pure: nothing is expanded or checked against a context here.
 */
public record Containerfile(String name, char escape, String syntax, List<Instruction> instructions) {
    static final Set<String> KEYWORDS = Set.of("FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
            "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL");
    private static final Set<String> WITH_FLAGS = Set.of("FROM", "RUN", "ADD", "COPY", "HEALTHCHECK");
    private static final Set<String> WITH_HEREDOCS = Set.of("RUN", "ADD", "COPY");
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.*?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\\2");

    public Containerfile {
        instructions = List.copyOf(instructions);
    }

    public static Containerfile parse(String text, String name) {
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        char escape = '\\';
        String syntax = null;
        int i = 0;
        for (; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(lines[i].strip());
            if (!m.matches()) {
                break;
            }
            String key = m.group(1).toLowerCase(Locale.ROOT);
            if (key.equals("escape")) {
                if (!m.group(2).equals("\\") && !m.group(2).equals("`")) {
                    throw new BuildFileException(name, i + 1, "invalid escape directive \"" + m.group(2) + "\": use \\ or `");
                }
                escape = m.group(2).charAt(0);
            } else if (key.equals("syntax")) {
                syntax = m.group(2);
            } else if (!key.equals("check")) {
                break; // an unknown directive is a comment, and ends the directives
            }
        }
        List<Instruction> out = new ArrayList<>();
        while (i < lines.length) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                i++;
                continue;
            }
            int start = i + 1;
            StringBuilder logical = new StringBuilder();
            String part = stripTrailing(line);
            i++;
            while (part.endsWith(String.valueOf(escape))) {
                logical.append(part, 0, part.length() - 1);
                while (i < lines.length && (lines[i].strip().isEmpty() || lines[i].strip().startsWith("#"))) {
                    i++; // comments and blank lines inside a continued instruction are dropped, as Docker does
                }
                if (i >= lines.length) {
                    part = "";
                    break;
                }
                part = stripTrailing(lines[i++]);
            }
            logical.append(part);
            String full = logical.toString().strip();
            int sp = firstSpace(full);
            String word = sp < 0 ? full : full.substring(0, sp);
            String keyword = word.toUpperCase(Locale.ROOT);
            if (!KEYWORDS.contains(keyword)) {
                throw new BuildFileException(name, start, "unknown instruction: " + word);
            }
            String rest = sp < 0 ? "" : full.substring(sp).strip();
            List<String> flags = new ArrayList<>();
            if (WITH_FLAGS.contains(keyword)) {
                while (rest.startsWith("--")) {
                    int end = firstSpace(rest);
                    flags.add(end < 0 ? rest : rest.substring(0, end));
                    rest = end < 0 ? "" : rest.substring(end).strip();
                }
            }
            List<Heredoc> heredocs = new ArrayList<>();
            if (WITH_HEREDOCS.contains(keyword) && !rest.startsWith("[")) {
                Matcher m = HEREDOC.matcher(rest);
                while (m.find()) {
                    boolean chomp = !m.group(1).isEmpty();
                    String word2 = m.group(3);
                    StringBuilder content = new StringBuilder();
                    boolean closed = false;
                    while (i < lines.length) {
                        String l = lines[i++];
                        String cmp = chomp ? l.replaceFirst("^\t+", "") : l;
                        if (cmp.equals(word2)) {
                            closed = true;
                            break;
                        }
                        content.append(cmp).append('\n');
                    }
                    if (!closed) {
                        throw new BuildFileException(name, start, "unterminated heredoc " + word2 + ": no line \"" + word2 + "\" ends it");
                    }
                    heredocs.add(new Heredoc(word2, content.toString(), m.group(2).isEmpty()));
                }
            }
            if (rest.isEmpty() && !keyword.equals("HEALTHCHECK")) {
                throw new BuildFileException(name, start, keyword + " requires at least one argument");
            }
            out.add(new Instruction(keyword, flags, rest, heredocs, start));
        }
        return new Containerfile(name, escape, syntax, out);
    }

    private static String stripTrailing(String s) {
        return s.stripTrailing();
    }

    private static int firstSpace(String s) {
        for (int k = 0; k < s.length(); k++) {
            if (Character.isWhitespace(s.charAt(k))) {
                return k;
            }
        }
        return -1;
    }

    /** The ARGs before the first FROM (usable only in FROM lines), and the stages. */
    public record Plan(List<Instruction> globalArgs, List<Stage> stages) {
    }

    /** One FROM and the instructions up to the next; name: from {@code AS name}, else null. */
    public record Stage(int index, String name, Instruction from, List<Instruction> body) {
    }

    /** Splits into stages; an instruction other than ARG before the first FROM is an error. */
    public Plan plan() {
        List<Instruction> globals = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Instruction from = null;
        String stageName = null;
        List<Instruction> body = new ArrayList<>();
        for (Instruction in : instructions) {
            if (in.keyword().equals("FROM")) {
                if (from != null) {
                    stages.add(new Stage(stages.size(), stageName, from, body));
                }
                from = in;
                body = new ArrayList<>();
                List<String> words = ShellWords.rawWords(in.args(), escape);
                stageName = null;
                if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) {
                    stageName = words.get(2).toLowerCase(Locale.ROOT);
                    if (!stageName.matches("[a-z][a-z0-9._-]*")) {
                        throw new BuildFileException(name, in.line(), "invalid stage name \"" + words.get(2) + "\": use letters, digits, '.', '_', '-'");
                    }
                    for (Stage s : stages) {
                        if (stageName.equals(s.name())) {
                            throw new BuildFileException(name, in.line(), "duplicate stage name \"" + stageName + "\"");
                        }
                    }
                } else if (words.size() != 1) {
                    throw new BuildFileException(name, in.line(), "FROM takes IMAGE [AS NAME], got \"" + in.args() + "\"");
                }
            } else if (from == null) {
                if (!in.keyword().equals("ARG")) {
                    throw new BuildFileException(name, in.line(), "no FROM before " + in.keyword() + ": a Containerfile starts with FROM (only ARG may come before it)");
                }
                globals.add(in);
            } else {
                body.add(in);
            }
        }
        if (from == null) {
            throw new BuildFileException(name, instructions.isEmpty() ? 1 : instructions.get(instructions.size() - 1).line(),
                    "no FROM instruction: nothing to build");
        }
        stages.add(new Stage(stages.size(), stageName, from, body));
        return new Plan(globals, stages);
    }
}
