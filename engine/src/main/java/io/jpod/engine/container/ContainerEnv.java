package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The container's environment: the image's Env, then defaults podman adds, then the user's -e, later wins. */
public final class ContainerEnv {
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ContainerEnv() {
    }

    public static List<String> build(List<String> imageEnv, List<String> userEnv, String hostname, String home,
                                     boolean tty, Map<String, String> callerEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        if (imageEnv != null) {
            for (String e : imageEnv) {
                put(env, e, callerEnv);
            }
        }
        if (tty) {
            env.putIfAbsent("TERM", "xterm");
        }
        env.putIfAbsent("container", "jpod");
        env.put("HOSTNAME", hostname);
        env.putIfAbsent("HOME", home);
        for (String e : userEnv) {
            put(env, e, callerEnv);
        }
        List<String> out = new ArrayList<>(env.size());
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** "K=V" sets; a bare "K" takes the caller's value (docker's -e K), and is skipped when the caller has none. */
    private static void put(Map<String, String> env, String entry, Map<String, String> callerEnv) {
        int eq = entry.indexOf('=');
        if (eq == 0) {
            throw new EngineException("invalid environment variable \"" + entry + "\": the name is empty");
        }
        if (eq < 0) {
            String v = callerEnv.get(entry);
            if (v != null) {
                env.put(entry, v);
            }
            return;
        }
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
}
