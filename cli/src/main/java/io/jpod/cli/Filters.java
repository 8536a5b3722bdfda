package io.jpod.cli;

import io.jpod.engine.EngineException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * `--filter KEY=VALUE` lists as podman reads them: values of one key are alternatives, different keys must all
 * match; for the keys in {@code everyValue} (podman: label) every value must match.
 */
final class Filters {
    private Filters() {
    }

    /**
     * @param keys what the command takes, for the error on a value without '=' ("status, name or id")
     * @param one  the test for one KEY=VALUE; fails with a clear message on an unknown key or a bad value
     */
    static <T> Predicate<T> of(List<String> filters, String keys, Set<String> everyValue, BiFunction<String, String, Predicate<T>> one) {
        Map<String, List<Predicate<T>>> byKey = new LinkedHashMap<>();
        for (String f : filters) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new EngineException("invalid filter \"" + f + "\": use KEY=VALUE with " + keys);
            }
            String key = f.substring(0, eq);
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(one.apply(key, f.substring(eq + 1)));
        }
        return t -> {
            for (Map.Entry<String, List<Predicate<T>>> e : byKey.entrySet()) {
                boolean ok = everyValue.contains(e.getKey()) ? e.getValue().stream().allMatch(p -> p.test(t))
                        : e.getValue().stream().anyMatch(p -> p.test(t));
                if (!ok) {
                    return false;
                }
            }
            return true;
        };
    }
}
