package io.jpod.cli.api;

import io.jpod.engine.Dirs;
import io.jpod.engine.Engine;
import io.jpod.engine.container.ProcessHost;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker Engine API (version {@value HttpExchange#API_VERSION}, down to {@value HttpExchange#MIN_API_VERSION})
 * as a front end of the engine, beside the CLI: each endpoint parses its request into the engine's typed calls and
 * renders the result in docker's shape; it holds no engine logic. Paths are accepted with any {@code /vX.Y} prefix
 * and without one.
 */
public final class DockerApi {
    private static final Pattern VERSION_PREFIX = Pattern.compile("^/v\\d+\\.\\d+(?=/)");

    private final Map<String, String> env;
    private final PrintStream log;
    final SystemEndpoints system;
    final ImageEndpoints images;
    private final BuildEndpoint build;
    final ContainerEndpoints containers;
    final StatsEndpoint stats;
    final VolumeEndpoints volumes;
    final NetworkEndpoints networks;

    /** @param env the service's environment (the user's HOME, XDG_RUNTIME_DIR, PATH) */
    public DockerApi(Map<String, String> env, PrintStream log) {
        this.env = Map.copyOf(env);
        this.log = log;
        this.system = new SystemEndpoints(this);
        this.images = new ImageEndpoints(this);
        this.build = new BuildEndpoint(this);
        this.containers = new ContainerEndpoints(this);
        this.stats = new StatsEndpoint(this);
        this.volumes = new VolumeEndpoints(this);
        this.networks = new NetworkEndpoints(this);
    }

    /** An engine for one request; processes it starts run as this JVM's children. */
    Engine engine() {
        return engine(ProcessHost.LOCAL);
    }

    Engine engine(ProcessHost host) {
        return new Engine(Dirs.from(env, null, null), env, log, env.get("JPOD_STORAGE_DRIVER"), host);
    }

    Map<String, String> env() {
        return env;
    }

    void handle(HttpExchange ex) throws IOException {
        HttpRequest r = ex.request;
        String path = VERSION_PREFIX.matcher(r.path).replaceFirst("");
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String[] seg = path.substring(1).split("/", -1);
        String m = r.method;
        switch (seg[0]) {
            case "_ping" -> {
                if (seg.length == 1 && (m.equals("GET") || m.equals("HEAD"))) {
                    system.ping(ex);
                    return;
                }
            }
            case "version" -> {
                if (seg.length == 1 && get(m)) {
                    system.version(ex);
                    return;
                }
            }
            case "info" -> {
                if (seg.length == 1 && get(m)) {
                    system.info(ex);
                    return;
                }
            }
            case "events" -> {
                if (seg.length == 1 && get(m)) {
                    system.events(ex);
                    return;
                }
            }
            case "auth" -> {
                if (seg.length == 1 && m.equals("POST")) {
                    system.auth(ex);
                    return;
                }
            }
            case "system" -> {
                if (seg.length == 2 && seg[1].equals("df") && get(m)) {
                    system.df(ex);
                    return;
                }
            }
            case "build" -> {
                if (seg.length == 1 && m.equals("POST")) {
                    build.build(ex);
                    return;
                }
            }
            case "images" -> {
                if (images.route(ex, m, seg)) {
                    return;
                }
            }
            case "containers" -> {
                if (containers.route(ex, m, seg)) {
                    return;
                }
            }
            case "exec" -> {
                if (containers.routeExec(ex, m, seg)) {
                    return;
                }
            }
            case "networks" -> {
                if (networks.route(ex, m, seg)) {
                    return;
                }
            }
            case "volumes" -> {
                if (volumes.route(ex, m, seg)) {
                    return;
                }
            }
            default -> {
            }
        }
        throw HttpError.notFound("page not found: " + m + " " + HttpRequest.printable(r.path) + " is not an endpoint of jpod's Docker API");
    }

    static boolean get(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    /** A path segment as the name it encodes (an image name may contain slashes: the rest of the path). */
    static String join(String[] seg, int from, int to) {
        return String.join("/", java.util.Arrays.copyOfRange(seg, from, to));
    }

    static Matcher match(Pattern p, String s) {
        Matcher mt = p.matcher(s);
        return mt.matches() ? mt : null;
    }
}
