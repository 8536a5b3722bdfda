package io.jpod.cli;

import io.jpod.storage.ContainerState;
import io.jpod.engine.EngineException;
import io.jpod.engine.container.ContainerListReport;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * `ps --filter` (status, name, id, label, exited, ancestor, before, since) and podman's STATUS column ("Up 3
 * seconds", "Exited (0) 2 minutes ago"). As in podman, several values of one key are alternatives, different keys
 * must all match, and every label filter must match.
 */
final class PsFilter {
    private static final List<String> STATES = List.of("created", "running", "exited", "paused", "restarting", "removing",
            "stopping", "stopped", "unknown");
    private static final String KEYS = "status, name, id, label, exited, ancestor, before or since";

    private PsFilter() {
    }

    /** The filters as one test; {@code all} (every container) resolves before= and since=. */
    static Predicate<ContainerListReport> of(List<String> filters, List<ContainerListReport> all) {
        return Filters.of(filters, KEYS, Set.of("label"), (key, value) -> one(key, value, all));
    }

    static Predicate<ContainerListReport> one(String key, String value, List<ContainerListReport> all) {
        return switch (key) {
            case "status" -> {
                if (!STATES.contains(value)) {
                    throw new EngineException("invalid status filter \"" + value + "\": use one of " + String.join(", ", STATES));
                }
                // jpod tears a container down as it ends, so podman's "stopped" (ended, not yet cleaned up) is "exited"
                String state = value.equals("stopped") ? "exited" : value;
                yield c -> c.state() != null && state.equals(c.state().value());
            }
            case "name" -> {
                Pattern p = Pattern.compile(value);
                yield c -> p.matcher(c.name()).find();
            }
            case "id" -> c -> c.id().startsWith(value);
            case "label" -> c -> {
                var labels = c.labels();
                int leq = value.indexOf('=');
                return labels != null && (leq < 0 ? labels.containsKey(value) : value.substring(leq + 1).equals(labels.get(value.substring(0, leq))));
            };
            case "exited" -> {
                int code;
                try {
                    code = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new EngineException("invalid exited filter \"" + value + "\": use an exit code, e.g. exited=0");
                }
                yield c -> c.state() == ContainerState.EXITED && c.exitCode() != null && c.exitCode() == code;
            }
            case "ancestor" -> c -> isAncestor(value, c);
            case "before", "since" -> {
                ContainerListReport ref = all.stream().filter(c -> c.name().equals(value) || c.id().startsWith(value)).findFirst()
                        .orElseThrow(() -> new EngineException(key + " filter: no container with name or id \"" + value + "\""));
                Instant t = ref.created() == null ? Instant.EPOCH : ref.created();
                yield key.equals("before")
                        ? c -> c.created() != null && c.created().isBefore(t)
                        : c -> c.created() != null && c.created().isAfter(t);
            }
            default -> throw new EngineException("unknown filter \"" + key + "\": use " + KEYS);
        };
    }

    /** ancestor=IMAGE: the container's image by a name as written (with or without tag or registry) or an id prefix. */
    private static boolean isAncestor(String image, ContainerListReport c) {
        String id = c.imageId() == null ? "" : c.imageId().replaceFirst("^sha256:", "");
        if (image.matches("(sha256:)?[0-9a-f]{3,64}") && id.startsWith(image.replaceFirst("^sha256:", ""))) {
            return true;
        }
        return c.image() != null && ImageFilter.matches(ImageFilter.glob(image), c.image());
    }

    static String status(ContainerListReport c) {
        if (c.state() == ContainerState.RUNNING) {
            return "Up " + since(c.startedAt());
        }
        if (c.state() == ContainerState.EXITED) {
            String s = "Exited (" + c.exitCode() + ")";
            return c.exitedAt() != null ? s + " " + Formats.ago(c.exitedAt()) : s;
        }
        String st = c.state() == null ? "" : c.state().value();
        return st.isEmpty() ? "" : Character.toUpperCase(st.charAt(0)) + st.substring(1);
    }

    private static String since(Instant t) {
        String ago = Formats.ago(t == null ? Instant.now() : t);
        return ago.endsWith(" ago") ? ago.substring(0, ago.length() - 4) : ago;
    }
}
