package io.jpod.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** `--label KEY[=VALUE]`-style options (also `--opt`): a KEY alone has the empty value; a repeated KEY, the last wins. */
final class LabelArgs {
    private LabelArgs() {
    }

    /** The pairs in the order given. */
    static Map<String, String> parse(List<String> given) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : given) {
            int eq = kv.indexOf('=');
            m.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
        }
        return m;
    }

    /** The pairs sorted by key (as records keep labels and options). */
    static Map<String, String> sorted(List<String> given) {
        return new TreeMap<>(parse(given));
    }
}
