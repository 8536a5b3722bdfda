package io.jpod.cli.api;

import io.jpod.engine.container.ContainerWaitOptions;
import io.jpod.engine.container.ContainerStopOptions;
import io.jpod.engine.container.ContainerRestartOptions;
import io.jpod.engine.container.ContainerRemoveOptions;
import io.jpod.engine.container.ContainerKillOptions;
import io.jpod.engine.container.ContainerListOptions;
import io.jpod.engine.container.ContainerListReport;
import io.jpod.engine.container.ContainerLookupReport;
import io.jpod.engine.container.ContainerStartOptions;
import io.jpod.storage.ContainerState;
import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.engine.container.AttachSession;
import io.jpod.engine.Engine;
import io.jpod.engine.container.ExecRequest;
import io.jpod.engine.container.LogOptions;
import io.jpod.engine.container.ProcessHost;
import io.jpod.engine.container.RunRequest;
import io.jpod.network.PortMapping;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code /containers} and {@code /exec}: create, list, inspect, start, stop, kill, wait, attach, logs, remove, exec (stats: {@link StatsEndpoint}). */
final class ContainerEndpoints {
    /** How long an attach made before the start waits for that start. */
    private static final Duration ATTACH_WAIT = Duration.ofMinutes(10);

    private final DockerApi api;
    /** Containers with an attach waiting for their start: the start holds their output for it. */
    private final Map<String, Boolean> attachPending = new ConcurrentHashMap<>();
    private final Map<String, ExecInstance> execs = new ConcurrentHashMap<>();
    /** Counts the API's starts: an attach waiting for its container's start is woken by one, not by polling. */
    private final StartSignal starts = new StartSignal();

    ContainerEndpoints(DockerApi api) {
        this.api = api;
    }

    /** An exec created by {@code POST /containers/{id}/exec}, run by {@code /exec/{id}/start}. */
    private static final class ExecInstance {
        final String id;
        final String container;
        final List<String> cmd;
        final List<String> env;
        final String workdir;
        final String user;
        final boolean stdin;
        final boolean stdout;
        final boolean stderr;
        final boolean tty;
        volatile boolean running;
        volatile Integer exitCode;
        volatile long pid;

        ExecInstance(String id, String container, JsonNode b) {
            this.id = id;
            this.container = container;
            this.cmd = ContainerRequests.strings(b.path("Cmd"), "Cmd");
            this.env = ContainerRequests.strings(b.path("Env"), "Env");
            this.workdir = b.path("WorkingDir").asText("").isEmpty() ? null : b.path("WorkingDir").asText();
            this.user = b.path("User").asText("").isEmpty() ? null : b.path("User").asText();
            this.stdin = b.path("AttachStdin").asBoolean(false);
            this.stdout = b.path("AttachStdout").asBoolean(false);
            this.stderr = b.path("AttachStderr").asBoolean(false);
            this.tty = b.path("Tty").asBoolean(false);
        }
    }

    boolean route(HttpExchange ex, String m, String[] seg) throws IOException {
        int n = seg.length;
        if (n == 2) {
            switch (seg[1]) {
                case "create" -> {
                    if (m.equals("POST")) {
                        create(ex);
                        return true;
                    }
                }
                case "json" -> {
                    if (DockerApi.get(m)) {
                        list(ex);
                        return true;
                    }
                }
                case "prune" -> {
                    if (m.equals("POST")) {
                        try (Engine engine = api.engine()) {
                            ex.json(200, Map.of("ContainersDeleted", engine.containers().prune().removed(), "SpaceReclaimed", 0));
                        }
                        return true;
                    }
                }
                default -> {
                }
            }
            if (m.equals("DELETE")) {
                remove(ex, seg[1]);
                return true;
            }
            return false;
        }
        if (n != 3) {
            return false;
        }
        String id = seg[1];
        switch (seg[2] + " " + (m.equals("HEAD") ? "GET" : m)) {
            case "json GET" -> inspect(ex, id);
            case "start POST" -> start(ex, id);
            case "stop POST" -> stop(ex, id);
            case "restart POST" -> {
                try (Engine engine = api.engine()) {
                    engine.containers().restart(id, new ContainerRestartOptions(ex.request.param("t") == null ? null : (int) ex.request.number("t", 10)));
                }
                ex.empty(204);
            }
            case "kill POST" -> {
                try (Engine engine = api.engine()) {
                    ContainerLookupReport c = engine.containers().lookup(id);
                    if (c.state() != ContainerState.RUNNING) {
                        throw new HttpError(409, "container " + id + " is not running");
                    }
                    String signal = ex.request.param("signal");
                    engine.containers().kill(id, new ContainerKillOptions(signal == null || signal.isEmpty() ? "KILL" : signal));
                }
                ex.empty(204);
            }
            case "wait POST" -> await(ex, id);
            case "attach POST" -> attach(ex, id);
            case "logs GET" -> logs(ex, id);
            case "exec POST" -> createExec(ex, id);
            case "archive GET" -> archiveOut(ex, id);
            case "archive PUT" -> archiveIn(ex, id);
            case "top GET" -> {
                try (Engine engine = api.engine()) {
                    List<String[]> rows = engine.containers().top(id, List.of()).rows();
                    ex.json(200, Map.of("Titles", List.of(rows.get(0)), "Processes", rows.subList(1, rows.size())));
                }
            }
            case "rename POST" -> {
                String name = ex.request.param("name");
                if (name == null || name.isEmpty()) {
                    throw HttpError.badRequest("name is required: the container's new name");
                }
                try (Engine engine = api.engine()) {
                    engine.containers().rename(id, name);
                }
                ex.empty(204);
            }
            case "stats GET" -> api.stats.stats(ex, id);
            case "pause POST", "unpause POST" -> {
                try (Engine engine = api.engine()) {
                    engine.containers().lookup(id); // 404 first
                }
                // no freezer: jpod has no pause command (see docs/ARCHITECTURE.md, "The Docker-compatible API")
                throw new HttpError(501, "jpod cannot " + seg[2] + " containers: it has no pause (no freezer cgroup is managed); stop and start the container instead");
            }
            case "resize POST" -> {
                resize(id, ex.request.number("h", 0), ex.request.number("w", 0));
                ex.empty(200);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    boolean routeExec(HttpExchange ex, String m, String[] seg) throws IOException {
        if (seg.length != 3) {
            return false;
        }
        ExecInstance e = execs.get(seg[1]);
        String what = seg[2] + " " + (m.equals("HEAD") ? "GET" : m);
        if (!what.equals("start POST") && !what.equals("json GET") && !what.equals("resize POST")) {
            return false;
        }
        if (e == null) {
            throw HttpError.notFound("No such exec instance: " + seg[1]);
        }
        switch (what) {
            case "start POST" -> startExec(ex, e);
            case "json GET" -> {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("ID", e.id);
                j.put("Running", e.running);
                j.put("ExitCode", e.exitCode);
                j.put("ProcessConfig", Map.of("tty", e.tty, "entrypoint", e.cmd.isEmpty() ? "" : e.cmd.get(0),
                        "arguments", e.cmd.isEmpty() ? List.of() : e.cmd.subList(1, e.cmd.size()), "privileged", false,
                        "user", e.user == null ? "" : e.user));
                j.put("OpenStdin", e.stdin);
                j.put("OpenStderr", e.stderr);
                j.put("OpenStdout", e.stdout);
                j.put("CanRemove", false);
                j.put("ContainerID", e.container);
                j.put("DetachKeys", "");
                j.put("Pid", e.pid);
                ex.json(200, j);
            }
            default -> ex.empty(200); // exec resize: jpod's API runs execs without a tty
        }
        return true;
    }

    static JsonNode jsonBody(HttpExchange ex) throws IOException {
        byte[] body = ex.request.bodyBytes(1 << 20);
        if (body.length == 0) {
            return HttpExchange.JSON.createObjectNode();
        }
        JsonNode n;
        try {
            n = HttpExchange.JSON.readTree(body);
        } catch (IOException e) {
            throw HttpError.badRequest("invalid JSON body: " + firstLine(e.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw HttpError.badRequest("invalid JSON body: expected an object");
        }
        return n;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        String t = nl < 0 ? s : s.substring(0, nl);
        return t.length() > 120 ? t.substring(0, 120) : t;
    }

    private void create(HttpExchange ex) throws IOException {
        JsonNode body = jsonBody(ex);
        RunRequest request = ContainerRequests.create(body, ex.request.param("name"), api.networks::exists);
        try (Engine engine = api.engine()) {
            if (engine.images().find(request.image()).isEmpty()) {
                throw HttpError.notFound("No such image: " + request.image());
            }
            io.jpod.engine.container.ContainerRunReport report = engine.containers().run(request, null); // never pulls (ContainerRequests)
            if (report.exitCode() != 0) {
                throw new HttpError(500, "cannot create the container (status " + report.exitCode() + "; see the service log)");
            }
            ex.json(201, Map.of("Id", report.id(), "Warnings", List.of()));
        }
    }

    private void list(HttpExchange ex) throws IOException {
        HttpRequest r = ex.request;
        boolean all = r.flag("all");
        long limit = r.number("limit", -1);
        Map<String, List<String>> filters = Filters.parse(r.param("filters"));
        List<Object> out = new ArrayList<>();
        try (Engine engine = api.engine()) {
            for (ContainerListReport c : engine.containers().list(new ContainerListOptions(all || limit >= 0))) {
                Map<String, Object> s = summary(c);
                if (!matches(filters, c, s)) {
                    continue;
                }
                out.add(s);
                if (limit > 0 && out.size() >= limit) {
                    break;
                }
            }
        }
        ex.json(200, out);
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(Map<String, List<String>> filters, ContainerListReport c, Map<String, Object> s) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            List<String> v = f.getValue();
            if (v.isEmpty()) {
                continue;
            }
            boolean ok = switch (f.getKey()) {
                case "label" -> Filters.labels(v, (Map<String, String>) s.get("Labels"));
                case "name" -> v.stream().anyMatch(x -> c.name().contains(x.startsWith("/") ? x.substring(1) : x));
                case "id" -> v.stream().anyMatch(x -> c.id().startsWith(x));
                case "status" -> v.contains(String.valueOf(s.get("State")));
                case "ancestor" -> v.stream().anyMatch(x -> x.equals(c.image()) || c.imageId() != null
                        && (c.imageId().replaceFirst("^sha256:", "").startsWith(x.replaceFirst("^sha256:", ""))));
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** docker's container summary (/containers/json, /system/df) of a list row. */
    static Map<String, Object> summary(ContainerListReport c) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Id", c.id());
        s.put("Names", c.names().stream().map(n -> "/" + n).toList());
        s.put("Image", c.image() == null ? "" : c.image());
        s.put("ImageID", c.imageId() == null ? "" : c.imageId().startsWith("sha256:") ? c.imageId() : "sha256:" + c.imageId());
        s.put("Command", c.command() == null ? "" : String.join(" ", c.command()));
        s.put("Created", c.created() == null ? 0 : c.created().getEpochSecond());
        s.put("Ports", c.state() == ContainerState.RUNNING ? ports(c) : List.of()); // published while it runs
        s.put("Labels", c.labels() == null ? Map.of() : c.labels());
        s.put("State", state(c.state()));
        s.put("Status", status(c));
        s.put("HostConfig", Map.of("NetworkMode", c.networkMode() == null ? "default" : c.networkMode()));
        s.put("NetworkSettings", Map.of("Networks", Map.of()));
        s.put("Mounts", List.of());
        return s;
    }

    /** docker's state names: created, running, paused, restarting, removing, exited, dead. */
    static String state(ContainerLookupReport c) {
        return state(c.state());
    }

    private static String state(ContainerState s) {
        return s == null ? "created" : s.value(); // podman's names for jpod's states are docker's
    }

    /** "Up 5 seconds", "Exited (0) 2 minutes ago", "Created". */
    static String status(ContainerListReport c) {
        return switch (state(c.state())) {
            case "running" -> "Up " + human(c.startedAt());
            case "exited" -> "Exited (" + (c.exitCode() == null ? 0 : c.exitCode()) + ") " + human(c.exitedAt()) + " ago";
            case "created" -> "Created";
            default -> state(c.state());
        };
    }

    private static String human(Instant since) {
        if (since == null) {
            return "Less than a second";
        }
        long s = Math.max(0, Duration.between(since, Instant.now()).getSeconds());
        if (s < 1) {
            return "Less than a second";
        }
        if (s < 60) {
            return s + " second" + (s == 1 ? "" : "s");
        }
        if (s < 3600) {
            return s / 60 == 1 ? "About a minute" : s / 60 + " minutes";
        }
        if (s < 86400) {
            return s / 3600 == 1 ? "About an hour" : s / 3600 + " hours";
        }
        return s / 86400 + " days";
    }

    private static List<Map<String, Object>> ports(ContainerListReport c) {
        return ports(c.ports());
    }

    private static List<Map<String, Object>> ports(Engine engine, String id) {
        try {
            return ports(engine.ports(id));
        } catch (RuntimeException e) {
            return List.of(); // not started yet: no ports recorded
        }
    }

    private static List<Map<String, Object>> ports(List<PortMapping> mappings) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PortMapping p : mappings) {
            out.add(Map.of("IP", p.hostIp() == null ? "0.0.0.0" : p.hostIp(), "PrivatePort", p.containerPort(),
                    "PublicPort", p.hostPort(), "Type", p.protocol()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private void inspect(HttpExchange ex, String id) throws IOException {
        try (Engine engine = api.engine()) {
            ContainerLookupReport c = engine.containers().lookup(id);
            Map<String, Object> m = new LinkedHashMap<>(engine.containers().inspect(List.of(c.id())).get(0));
            m.put("Name", "/" + c.name());
            m.remove("IsInfra"); // podman's fields, not Docker's
            m.remove("IsService");
            m.put("Image", c.imageId() == null ? "" : c.imageId().startsWith("sha256:") ? c.imageId() : "sha256:" + c.imageId());
            Map<String, Object> state = new LinkedHashMap<>((Map<String, Object>) m.get("State"));
            state.put("Status", state(c));
            state.remove("Health");
            m.put("State", state);
            Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) m.get("Config"));
            config.remove("Healthcheck");
            m.put("Config", config);
            Map<String, Object> net = new LinkedHashMap<>((Map<String, Object>) m.get("NetworkSettings"));
            Map<String, Object> ports = new LinkedHashMap<>();
            for (Map<String, Object> p : ports(engine, c.id())) {
                ((List<Object>) ports.computeIfAbsent(p.get("PrivatePort") + "/" + p.get("Type"), k -> new ArrayList<>()))
                        .add(Map.of("HostIp", p.get("IP"), "HostPort", String.valueOf(p.get("PublicPort"))));
            }
            net.put("Ports", ports);
            net.put("Networks", Map.of());
            m.put("NetworkSettings", net);
            ex.json(200, m);
        }
    }

    private void start(HttpExchange ex, String id) throws IOException {
        try (Engine engine = api.engine()) {
            ContainerLookupReport c = engine.containers().lookup(id);
            if (c.state() == ContainerState.RUNNING) {
                ex.empty(304);
                return;
            }
            int code;
            try {
                code = engine.containers().start(c.id(), attachPending.containsKey(c.id())
                        ? new ContainerStartOptions(false, false, null, true) : ContainerStartOptions.detached());
            } finally {
                starts.signal();
            }
            if (code != 0) {
                // the docker CLI's run exits 127 / 126 / 125 by these words, as for docker's runtime errors
                String why = code == 127 ? ": its command: no such file or directory" : code == 126 ? ": its command: permission denied" : "";
                throw new HttpError(500, "container " + id + " failed to start" + why + " (status " + code + ")");
            }
        }
        ex.empty(204);
    }

    private void stop(HttpExchange ex, String id) throws IOException {
        try (Engine engine = api.engine()) {
            ContainerLookupReport c = engine.containers().lookup(id);
            if (c.state() != ContainerState.RUNNING) {
                ex.empty(304);
                return;
            }
            engine.containers().stop(c.id(), new ContainerStopOptions(ex.request.param("t") == null ? null : (int) ex.request.number("t", 10))).warning();
        }
        ex.empty(204);
    }

    private void remove(HttpExchange ex, String id) throws IOException {
        try (Engine engine = api.engine()) {
            ContainerLookupReport c = engine.containers().lookup(id);
            if (c.state() == ContainerState.RUNNING && !ex.request.flag("force")) {
                throw new HttpError(409, "cannot remove container \"/" + c.name() + "\": container is running: stop the container before removing or force remove");
            }
            engine.containers().remove(c.id(), new ContainerRemoveOptions(ex.request.flag("force"), ex.request.flag("v"), 0));
        }
        ex.empty(204);
    }

    /** The status code arrives when the condition holds; the headers go at once (the client then starts the container). */
    private void await(HttpExchange ex, String id) throws IOException {
        String cond = ex.request.param("condition");
        ContainerWaitOptions.Condition c = switch (cond == null || cond.isEmpty() ? "not-running" : cond) {
            case "not-running" -> ContainerWaitOptions.Condition.NOT_RUNNING;
            case "next-exit" -> ContainerWaitOptions.Condition.NEXT_EXIT;
            case "removed" -> ContainerWaitOptions.Condition.REMOVED;
            default -> throw HttpError.badRequest("invalid condition: " + HttpRequest.printable(cond)
                    + " (use not-running, next-exit or removed)");
        };
        String full;
        try (Engine engine = api.engine()) {
            full = engine.containers().lookup(id).id(); // 404 before the 200
        }
        OutputStream out = ex.stream(200, "application/json");
        Map<String, Object> result = new LinkedHashMap<>();
        try (Engine engine = api.engine()) {
            result.put("StatusCode", engine.containers().wait(full, new ContainerWaitOptions(c, false)));
        } catch (RuntimeException e) {
            result.put("StatusCode", -1);
            result.put("Error", Map.of("Message", ApiErrors.of(e).message()));
        }
        out.write(HttpExchange.JSON.writeValueAsBytes(result));
        out.write('\n');
        out.close();
    }

    private void attach(HttpExchange ex, String id) throws IOException {
        HttpRequest r = ex.request;
        ContainerLookupReport c;
        try (Engine engine = api.engine()) {
            c = engine.containers().lookup(id);
        }
        boolean tty = c.tty();
        boolean stdin = r.flag("stdin") && c.interactive();
        boolean stdout = r.flag("stdout");
        boolean stderr = r.flag("stderr");
        boolean waiting = c.state() != ContainerState.RUNNING;
        if (waiting) {
            attachPending.put(c.id(), Boolean.TRUE);
        }
        try {
            MuxOutput mux = new MuxOutput(ex.hijack(MuxOutput.contentType(tty)), tty);
            AttachSession session = connectWhenRunning(c.id());
            if (session == null) {
                return;
            }
            attachPending.remove(c.id());
            try (session) {
                if (stdin) {
                    pump(ex.rawInput(), session);
                }
                for (AttachSession.Frame f = session.read(); f != null; f = session.read()) {
                    if (f.type() == 'x') {
                        break;
                    }
                    if (f.type() == 'o' && stdout || f.type() == 'e' && stderr) {
                        mux.write(f.type() == 'o' ? 1 : 2, f.payload(), 0, f.payload().length);
                    }
                }
            }
        } finally {
            attachPending.remove(c.id());
        }
    }

    /** The caller's stdin to the container until its end, then end of stdin (a thread of its own). */
    private static void pump(InputStream in, AttachSession session) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    session.stdin(buf, 0, n);
                }
                session.endOfStdin();
            } catch (IOException e) {
                // either side went away
            }
        }, "jpod-api-stdin");
        t.setDaemon(true);
        t.start();
    }

    /** Connects to the container's monitor once it runs; null when it ended or went away first. */
    private AttachSession connectWhenRunning(String id) throws IOException {
        long deadline = System.nanoTime() + ATTACH_WAIT.toNanos();
        boolean sawRunning = false;
        while (System.nanoTime() < deadline) {
            long generation = starts.generation(); // before the look, so a start after it is not missed
            try (Engine engine = api.engine()) {
                ContainerLookupReport c = engine.containers().lookup(id);
                if (c.state() == ContainerState.RUNNING) {
                    sawRunning = true;
                    try {
                        return engine.containers().openAttach(id);
                    } catch (IOException e) {
                        // the monitor has not bound its socket yet
                    }
                } else if (sawRunning || "exited".equals(state(c)) && !attachPending.containsKey(id)) {
                    return null;
                }
            } catch (RuntimeException gone) {
                return null;
            }
            // running but the monitor's socket not bound yet: a short retry; not started: until an API start (or
            // the bounded fallback, for a start from the CLI)
            if (!starts.await(generation, sawRunning ? 20 : 500)) {
                return null;
            }
        }
        return null;
    }

    /** A generation count of starts that waiters block on (see {@link #connectWhenRunning}). */
    private static final class StartSignal {
        private long generation;

        synchronized long generation() {
            return generation;
        }

        synchronized void signal() {
            generation++;
            notifyAll();
        }

        /** Waits until a start after {@code seen} or {@code millis}; false when interrupted. */
        synchronized boolean await(long seen, long millis) {
            long deadline = System.nanoTime() + millis * 1_000_000;
            try {
                for (long left = millis; generation == seen && left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
                    wait(left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private void resize(String id, long rows, long cols) {
        if (rows <= 0 || cols <= 0 || rows > 65535 || cols > 65535) {
            throw HttpError.badRequest("invalid size: h and w must be 1 to 65535");
        }
        try (Engine engine = api.engine(); AttachSession s = engine.containers().openAttach(id)) {
            s.resize((int) rows, (int) cols);
        } catch (IOException e) {
            throw new HttpError(409, "container " + id + " is not running");
        }
    }

    private void logs(HttpExchange ex, String id) throws IOException {
        HttpRequest r = ex.request;
        boolean stdout = r.flag("stdout");
        boolean stderr = r.flag("stderr");
        if (!stdout && !stderr) {
            throw HttpError.badRequest("you must choose at least one stream");
        }
        String tailParam = r.param("tail");
        int tail = tailParam == null || tailParam.isEmpty() || tailParam.equals("all") ? -1 : (int) r.number("tail", -1);
        Instant since = SystemEndpoints.unixTime(r.param("since"), "since");
        Instant until = SystemEndpoints.unixTime(r.param("until"), "until");
        if (since != null && since.getEpochSecond() == 0 && since.getNano() == 0) {
            since = null;
        }
        LogOptions options = new LogOptions(r.flag("follow"), tail, since, until, r.flag("timestamps"));
        try (Engine engine = api.engine()) {
            ContainerLookupReport c = engine.containers().lookup(id);
            boolean tty = c.tty();
            MuxOutput mux = new MuxOutput(ex.stream(200, MuxOutput.contentType(tty)), tty);
            PrintStream out = new PrintStream(stdout ? mux.stream(1) : OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(stderr ? mux.stream(2) : OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            try {
                engine.containers().logs(List.of(c.id()), options, new io.jpod.engine.RequestContext(api.env(), null, null, out, err, false, null, -1, -1));
            } catch (RuntimeException e) {
                err.println(ApiErrors.of(e).message());
            }
            out.flush();
            err.flush();
            mux.close();
        }
    }

    private static String archivePath(HttpExchange ex) {
        String path = ex.request.param("path");
        if (path == null || path.isEmpty()) {
            throw HttpError.badRequest("path is required: the path in the container");
        }
        return path;
    }

    /** HEAD: the path's stat in docker's header; GET: the same and the path as a tar. */
    private void archiveOut(HttpExchange ex, String id) throws IOException {
        String path = archivePath(ex);
        boolean head = ex.request.method.equals("HEAD");
        IOException[] failed = {null};
        try (Engine engine = api.engine()) {
            engine.containers().archiveOut(id, path, stat -> {
                try {
                    ex.header("X-Docker-Container-Path-Stat", pathStat(stat));
                    if (head) {
                        ex.empty(200);
                        return null;
                    }
                    return ex.stream(200, "application/x-tar");
                } catch (IOException e) {
                    failed[0] = e;
                    return null;
                }
            });
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        if (!ex.sent()) {
            throw HttpError.notFound("Could not find the file " + path + " in container " + id);
        }
    }

    /** docker's X-Docker-Container-Path-Stat: base64 of {name, size, mode (Go's FileMode bits), mtime, linkTarget}. */
    private static String pathStat(io.jpod.engine.container.Copier.PathStat s) throws IOException {
        long mode = s.mode() & 0777;
        if ((s.mode() & 04000) != 0) {
            mode |= 1L << 23; // setuid
        }
        if ((s.mode() & 02000) != 0) {
            mode |= 1L << 22; // setgid
        }
        if ((s.mode() & 01000) != 0) {
            mode |= 1L << 20; // sticky
        }
        if (s.directory()) {
            mode |= 1L << 31;
        }
        if (s.symlink()) {
            mode |= 1L << 27;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("size", s.size());
        m.put("mode", mode);
        m.put("mtime", s.mtime().toString());
        m.put("linkTarget", s.linkTarget());
        return java.util.Base64.getEncoder().encodeToString(HttpExchange.JSON.writeValueAsBytes(m));
    }

    private void archiveIn(HttpExchange ex, String id) throws IOException {
        String path = archivePath(ex);
        try (Engine engine = api.engine()) {
            engine.containers().archiveIn(id, path, ex.request.body);
        }
        ex.empty(200);
    }

    private void createExec(HttpExchange ex, String id) throws IOException {
        JsonNode body = jsonBody(ex);
        try (Engine engine = api.engine()) {
            ContainerLookupReport c = engine.containers().lookup(id);
            if (c.state() != ContainerState.RUNNING) {
                throw new HttpError(409, "container " + c.id() + " is not running");
            }
            ExecInstance e = new ExecInstance(newId(), c.id(), body);
            if (e.cmd.isEmpty()) {
                throw HttpError.badRequest("no exec command specified");
            }
            execs.put(e.id, e);
            ex.json(201, Map.of("Id", e.id));
        }
    }

    private static String newId() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Runs the exec with its stdio as pipes of this JVM: stdout and stderr framed onto the (hijacked) response,
     * the request's stream after the head as its stdin. jpod's API runs execs without a tty.
     */
    private void startExec(HttpExchange ex, ExecInstance e) throws IOException {
        JsonNode body = jsonBody(ex);
        boolean detach = body.path("Detach").asBoolean(false);
        if (e.running || e.exitCode != null) {
            throw new HttpError(409, "exec " + e.id + " has already been started");
        }
        e.running = true;
        ExecRequest request = new ExecRequest(e.container, e.cmd, e.env, e.workdir, e.user, e.stdin && !detach, false, false);
        if (detach) {
            Thread t = new Thread(() -> runExec(e, request, null, null), "jpod-api-exec");
            t.setDaemon(true);
            t.start();
            ex.empty(200);
            return;
        }
        MuxOutput mux = new MuxOutput(ex.hijack(MuxOutput.contentType(e.tty)), e.tty);
        runExec(e, request, mux, e.stdin ? ex.rawInput() : null);
    }

    private void runExec(ExecInstance e, ExecRequest request, MuxOutput mux, InputStream stdin) {
        List<Thread> pumps = new ArrayList<>();
        ProcessHost host = (pb, signals, helper) -> {
            if (pb.redirectOutput() == ProcessBuilder.Redirect.INHERIT) {
                pb.redirectOutput(mux != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD);
            }
            if (pb.redirectError() == ProcessBuilder.Redirect.INHERIT) {
                pb.redirectError(mux != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD);
            }
            if (pb.redirectInput() == ProcessBuilder.Redirect.INHERIT) {
                pb.redirectInput(stdin != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.start();
            e.pid = p.pid();
            if (mux != null) {
                if (pb.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
                    pumps.add(copy(p.getInputStream(), e.stdout ? mux.stream(1) : OutputStream.nullOutputStream()));
                }
                if (pb.redirectError() == ProcessBuilder.Redirect.PIPE) {
                    pumps.add(copy(p.getErrorStream(), e.stderr ? mux.stream(e.tty ? 1 : 2) : OutputStream.nullOutputStream()));
                }
            }
            if (stdin != null && pb.redirectInput() == ProcessBuilder.Redirect.PIPE) {
                Thread t = new Thread(() -> {
                    try (OutputStream to = p.getOutputStream()) {
                        stdin.transferTo(to);
                    } catch (IOException ignored) {
                        // the process or the client went away
                    }
                }, "jpod-api-exec-stdin");
                t.setDaemon(true);
                t.start();
            }
            return p;
        };
        int code;
        try (Engine engine = api.engine(host)) {
            code = engine.containers().exec(request);
        } catch (RuntimeException ex) {
            code = 126;
            if (mux != null) {
                byte[] msg = (ApiErrors.of(ex).message() + "\n").getBytes(StandardCharsets.UTF_8);
                try {
                    mux.write(2, msg, 0, msg.length);
                } catch (IOException ignored) {
                    // the client went away
                }
            }
        }
        for (Thread t : pumps) {
            try {
                t.join(10_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        e.exitCode = code;
        e.running = false;
    }

    private static Thread copy(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (from) {
                int n;
                while ((n = from.read(buf)) > 0) {
                    to.write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }, "jpod-api-exec-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
