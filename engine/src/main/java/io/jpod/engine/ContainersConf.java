package io.jpod.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.jpod.rootless.Cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The few containers.conf(5) settings jpod honours, read like podman: {@code $CONTAINERS_CONF} alone when set,
 * else {@code /usr/share/containers/containers.conf}, {@code /etc/containers/containers.conf} and
 * {@code $XDG_CONFIG_HOME/containers/containers.conf} (default {@code ~/.config}); then jpod's own
 * {@code $XDG_CONFIG_HOME/jpod/containers.conf} on top (as {@code ~/.config/jpod/registries.conf} is for registries).
 * Later files win key by key.
 *
 * <ul>
 *   <li>{@code [containers] pids_limit = N} — the default --pids-limit (0 or -1: none);</li>
 *   <li>{@code [containers] userns = "MODE"} — the default --userns of a container outside a pod ({@link #userns});</li>
 *   <li>{@code [jpod] cgroup_v1_parent = "memory:/PATH,pids:/PATH"} (or an array of "controller:/PATH") — the
 *       delegated v1 directories, as JPOD_CGROUP_V1_PARENT, which wins over the file;</li>
 *   <li>{@code [jpod] cgroup_v2_parent = "/PATH"} — a delegated cgroup v2 directory (a path in the unified
 *       hierarchy, as /proc/self/cgroup writes it), as JPOD_CGROUP_V2_PARENT.</li>
 * </ul>
 *
 * <p>Only files that mention one of these keys are parsed, so the TOML parser stays off the run path of a
 * machine without such settings.
 */
public final class ContainersConf {
    private static final Pattern KEYS = Pattern.compile("(?m)^\\s*(pids_limit|cgroup_v1_parent|cgroup_v2_parent)\\s*=");

    /** The settings found; each source names the file (or variable) it came from, null when unset. */
    public record Values(String v1Parent, String v1Source, String v2Parent, String v2Source, Long pidsLimit, String pidsSource) {
        static final Values NONE = new Values(null, null, null, null, null, null);

        public Cgroups.Settings cgroupSettings() {
            return new Cgroups.Settings(v1Parent, v1Source, v2Parent, v2Source);
        }
    }

    private ContainersConf() {
    }

    /** The files read, in order (later wins); only existing ones. */
    public static List<Path> files(Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        String home = env.get("HOME");
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home == null || home.isBlank() ? null : Path.of(home, ".config");
        String only = env.get("CONTAINERS_CONF");
        if (only != null && !only.isBlank()) {
            out.add(Path.of(only));
        } else {
            out.add(Path.of("/usr/share/containers/containers.conf"));
            out.add(Path.of("/etc/containers/containers.conf"));
            if (config != null) {
                out.add(config.resolve("containers/containers.conf"));
            }
        }
        if (config != null) {
            out.add(config.resolve("jpod/containers.conf"));
        }
        return out.stream().filter(Files::isRegularFile).toList();
    }

    /** Files, then the environment on top (JPOD_CGROUP_V1_PARENT, JPOD_CGROUP_V2_PARENT win over files). */
    public static Values load(Map<String, String> env) {
        Values v = Values.NONE;
        for (Path f : files(env)) {
            String text;
            try {
                text = io.jpod.storage.TextFiles.readUtf8(f, "configuration file");
            } catch (java.nio.file.NoSuchFileException e) {
                continue; // removed since it was listed
            }
            if (KEYS.matcher(text).find()) {
                v = parse(text, f.toString(), v);
            }
        }
        Cgroups.Settings fromEnv = Cgroups.Settings.fromEnv(env);
        return new Values(fromEnv.v1Parent() != null ? fromEnv.v1Parent() : v.v1Parent(),
                fromEnv.v1Parent() != null ? fromEnv.v1Source() : v.v1Source(),
                fromEnv.v2Parent() != null ? fromEnv.v2Parent() : v.v2Parent(),
                fromEnv.v2Parent() != null ? fromEnv.v2Source() : v.v2Source(), v.pidsLimit(), v.pidsSource());
    }

    private static final Pattern USERNS_KEY = Pattern.compile("(?m)^\\s*userns\\s*=");

    /**
     * The default --userns as podman finds it: {@code $PODMAN_USERNS}, else {@code [containers] userns} of the
     * files (later wins); null when neither says. Files without the key are not parsed.
     */
    public static String userns(Map<String, String> env) {
        String fromEnv = env.get("PODMAN_USERNS");
        if (fromEnv != null) {
            return fromEnv;
        }
        String mode = null;
        for (Path f : files(env)) {
            try {
                String text = io.jpod.storage.TextFiles.readUtf8(f, "configuration file");
                if (USERNS_KEY.matcher(text).find()) {
                    JsonNode n = new TomlMapper().readTree(text).path("containers").path("userns");
                    if (n.isTextual()) {
                        mode = n.asText();
                    } else if (!n.isMissingNode()) {
                        throw new EngineException(f + ": [containers] userns must be a string, e.g. \"auto\" or \"keep-id\"");
                    }
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // removed since it was listed
            } catch (IOException e) {
                throw new EngineException(f + " is not valid TOML: " + e.getMessage().lines().findFirst().orElse("") + "; fix it (see containers.conf(5))");
            }
        }
        return mode;
    }

    /** One file's settings over {@code base}; {@code source} names it in errors and in `jpod info`. */
    static Values parse(String toml, String source, Values base) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (IOException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new EngineException(source + " is not valid TOML: " + String.valueOf(msg).lines().findFirst().orElse("")
                    + "; fix it (see containers.conf(5))");
        }
        if (root == null) {
            return base;
        }
        Values v = base;
        JsonNode pids = root.path("containers").path("pids_limit");
        if (!pids.isMissingNode()) {
            if (!pids.isIntegralNumber()) {
                throw new EngineException(source + ": [containers] pids_limit must be a number, e.g. 2048 (0: unlimited)");
            }
            v = new Values(v.v1Parent(), v.v1Source(), v.v2Parent(), v.v2Source(), pids.asLong(), source);
        }
        JsonNode jpod = root.path("jpod");
        JsonNode v1 = jpod.path("cgroup_v1_parent");
        if (!v1.isMissingNode()) {
            String value;
            if (v1.isTextual()) {
                value = v1.asText();
            } else if (v1.isArray()) {
                List<String> items = new ArrayList<>();
                v1.forEach(n -> items.add(n.asText()));
                value = String.join(",", items);
            } else {
                throw new EngineException(source + ": [jpod] cgroup_v1_parent must be \"controller:/path,...\" or an array of them");
            }
            for (String item : value.split(",")) {
                if (!item.isBlank() && !item.strip().matches("[a-z_]+:/.*")) {
                    throw new EngineException(source + ": [jpod] cgroup_v1_parent entry \"" + item.strip()
                            + "\" is not controller:/path, e.g. memory:/user/me");
                }
            }
            v = new Values(value, source, v.v2Parent(), v.v2Source(), v.pidsLimit(), v.pidsSource());
        }
        JsonNode v2 = jpod.path("cgroup_v2_parent");
        if (!v2.isMissingNode()) {
            if (!v2.isTextual() || !v2.asText().startsWith("/")) {
                throw new EngineException(source + ": [jpod] cgroup_v2_parent must be a cgroup path such as \"/user/me\"");
            }
            v = new Values(v.v1Parent(), v.v1Source(), v2.asText(), source, v.pidsLimit(), v.pidsSource());
        }
        return v;
    }
}
