package io.jpod.cli;

import io.jpod.engine.EngineException;
import io.jpod.storage.ContainerRecord;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/** `ps --filter` (status=, name=, id=, label=) and podman's STATUS column ("Up 3 seconds", "Exited (0) 2 minutes ago"). */
final class PsFilter {
    private PsFilter() {
    }

    static boolean matches(ContainerRecord c, List<String> filters) {
        for (String f : filters) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new EngineException("invalid filter \"" + f + "\": use KEY=VALUE with status, name, id or label");
            }
            String key = f.substring(0, eq);
            String value = f.substring(eq + 1);
            boolean ok = switch (key) {
                case "status" -> value.equals(c.state());
                case "name" -> Pattern.compile(value).matcher(c.name()).find();
                case "id" -> c.id().startsWith(value);
                case "label" -> {
                    var labels = c.lifecycle() != null && c.lifecycle().config() != null ? c.lifecycle().config().labels() : null;
                    int leq = value.indexOf('=');
                    yield labels != null && (leq < 0 ? labels.containsKey(value) : value.substring(leq + 1).equals(labels.get(value.substring(0, leq))));
                }
                default -> throw new EngineException("unknown filter \"" + key + "\": use status, name, id or label");
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static String status(ContainerRecord c) {
        var lc = c.lifecycle();
        if ("running".equals(c.state())) {
            return "Up " + since(lc == null ? null : lc.startedAt());
        }
        if ("exited".equals(c.state())) {
            String s = "Exited (" + c.exitCode() + ")";
            return lc != null && lc.finishedAt() != null ? s + " " + Formats.ago(lc.finishedAt()) : s;
        }
        String st = c.state() == null ? "" : c.state();
        return st.isEmpty() ? "" : Character.toUpperCase(st.charAt(0)) + st.substring(1);
    }

    private static String since(Instant t) {
        String ago = Formats.ago(t == null ? Instant.now() : t);
        return ago.endsWith(" ago") ? ago.substring(0, ago.length() - 4) : ago;
    }
}
