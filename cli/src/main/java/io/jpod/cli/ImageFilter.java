package io.jpod.cli;

import io.jpod.engine.EngineException;
import io.jpod.storage.ImageRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** `jpod images --filter`: reference=GLOB (podman's: matched against the full name, or without registry and/or tag). */
final class ImageFilter {
    private ImageFilter() {
    }

    static List<ImageRecord> apply(List<ImageRecord> images, List<String> filters) {
        List<ImageRecord> out = new ArrayList<>(images);
        for (String f : filters) {
            int eq = f.indexOf('=');
            String key = eq < 0 ? f : f.substring(0, eq);
            if (!key.equals("reference") || eq < 0) {
                throw new EngineException("unsupported filter \"" + f + "\": jpod supports reference=PATTERN");
            }
            Pattern p = glob(f.substring(eq + 1));
            out.removeIf(r -> r.names().stream().noneMatch(n -> matches(p, n)));
        }
        return out;
    }

    static boolean matches(Pattern p, String name) {
        List<String> forms = new ArrayList<>();
        forms.add(name);
        int colon = name.lastIndexOf(':');
        String noTag = colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
        forms.add(noTag);
        int slash = name.indexOf('/');
        if (slash > 0) {
            forms.add(name.substring(slash + 1));
            forms.add(noTag.substring(slash + 1));
        }
        String lib = "docker.io/library/";
        if (name.startsWith(lib)) {
            forms.add(name.substring(lib.length()));
            forms.add(noTag.substring(lib.length()));
        }
        return forms.stream().anyMatch(f -> p.matcher(f).matches());
    }

    /** Shell glob: * (not across '/'), ?, everything else literal. */
    static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toCharArray()) {
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
