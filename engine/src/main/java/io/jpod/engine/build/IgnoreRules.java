package io.jpod.engine.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code .containerignore} / {@code .dockerignore} with Docker's rules: one pattern a line, {@code #} comments,
 * paths cleaned and relative to the context root, {@code *} and {@code ?} within one path component, {@code **}
 * across any number, {@code !} re-includes; the last pattern that matches a path (or one of its parent
 * directories) decides. As in Docker's walk (and so buildah's), an excluded directory is not entered at all unless an
 * exception pattern names something below it ({@code !dir/keep*}); {@code !*}{@code /keep} alone does not reopen it.
 */
public final class IgnoreRules {
    private record Rule(Pattern pattern, boolean exclude, String text) {
    }

    private final List<Rule> rules;

    private IgnoreRules(List<Rule> rules) {
        this.rules = rules;
    }

    public static final IgnoreRules NONE = new IgnoreRules(List.of());

    /** The given file (--ignorefile), else the context's .containerignore, else its .dockerignore, else none. */
    public static IgnoreRules of(Path context, Path ignoreFile) {
        if (ignoreFile != null && !Files.isRegularFile(ignoreFile)) {
            throw new io.jpod.engine.EngineException("--ignorefile " + ignoreFile + " is not a readable file");
        }
        for (Path f : ignoreFile != null ? new Path[]{ignoreFile}
                : new Path[]{context.resolve(".containerignore"), context.resolve(".dockerignore")}) {
            if (Files.isRegularFile(f)) {
                try {
                    return parse(Files.readString(f));
                } catch (IOException e) {
                    throw new io.jpod.engine.EngineException("cannot read " + f + ": " + e.getMessage(), e);
                }
            }
        }
        return NONE;
    }

    public static IgnoreRules parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String line : text.split("\n")) {
            String p = line.strip();
            if (p.isEmpty() || p.startsWith("#")) {
                continue;
            }
            boolean exclude = true;
            if (p.startsWith("!")) {
                exclude = false;
                p = p.substring(1).strip();
            }
            p = clean(p);
            if (p.isEmpty()) {
                continue;
            }
            rules.add(new Rule(Pattern.compile(regex(p)), exclude, p));
        }
        return new IgnoreRules(rules);
    }

    /** Whether the context-relative path ("dir/file", no leading slash) is excluded, a parent directory pruned or not. */
    public boolean excluded(String relative) {
        if (rules.isEmpty()) {
            return false;
        }
        for (int i = relative.indexOf('/'); i > 0; i = relative.indexOf('/', i + 1)) {
            if (prunes(relative.substring(0, i))) {
                return true;
            }
        }
        return lastMatchExcludes(relative);
    }

    /**
     * Whether a walk leaves out the directory and all below it: it is excluded and no exception pattern starts with
     * its path (Docker's rule: {@code !subdir1/sub3*} reopens subdir1, {@code !*}{@code /sub1*} reopens nothing).
     */
    public boolean prunes(String relativeDir) {
        if (rules.isEmpty() || !lastMatchExcludes(relativeDir)) {
            return false;
        }
        String prefix = relativeDir + "/";
        return rules.stream().noneMatch(r -> !r.exclude && (r.text + "/").startsWith(prefix));
    }

    private boolean lastMatchExcludes(String relative) {
        boolean excluded = false;
        List<String> candidates = new ArrayList<>();
        String p = relative;
        candidates.add(p);
        for (int i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
            candidates.add(p.substring(0, i));
        }
        for (Rule r : rules) {
            for (String c : candidates) {
                if (r.pattern.matcher(c).matches()) {
                    excluded = r.exclude;
                    break;
                }
            }
        }
        return excluded;
    }

    private static String clean(String p) {
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/+")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(s);
        }
        return String.join("/", parts);
    }

    /** Go's filepath.Match syntax plus Docker's {@code **}, as an anchored regex. */
    static String regex(String p) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*') {
                if (i + 1 < p.length() && p.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < p.length() && p.charAt(i + 1) == '/') {
                        i++;
                        b.append("(?:.*/)?"); // "**/" matches zero or more directories
                    } else {
                        b.append(".*");
                    }
                } else {
                    b.append("[^/]*");
                }
            } else if (c == '?') {
                b.append("[^/]");
            } else if (c == '[') {
                int end = p.indexOf(']', i + 1);
                if (end < 0) {
                    b.append("\\[");
                } else {
                    String cls = p.substring(i + 1, end);
                    if (cls.startsWith("^")) {
                        cls = "^" + cls.substring(1);
                    }
                    b.append('[').append(cls.replace("\\", "\\\\")).append(']');
                    i = end;
                }
            } else if (c == '\\' && i + 1 < p.length()) {
                b.append(Pattern.quote(String.valueOf(p.charAt(++i))));
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return b.toString();
    }
}
