package io.jpod.cli.api;

import io.jpod.cli.VersionCommand;
import io.jpod.engine.Engine;
import io.jpod.engine.system.Event;
import io.jpod.engine.system.EventOptions;
import io.jpod.engine.system.EventStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /_ping}, {@code /version}, {@code /info}, {@code /events}, {@code /auth}, {@code /system/df}. */
final class SystemEndpoints {
    private final DockerApi api;

    SystemEndpoints(DockerApi api) {
        this.api = api;
    }

    void ping(HttpExchange ex) throws IOException {
        ex.header("Builder-Version", "1");
        ex.header("Cache-Control", "no-cache, no-store, must-revalidate");
        ex.header("Pragma", "no-cache");
        ex.text(200, "text/plain; charset=utf-8", "OK");
    }

    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    void version(HttpExchange ex) throws IOException {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ApiVersion", HttpExchange.API_VERSION);
        details.put("MinAPIVersion", HttpExchange.MIN_API_VERSION);
        details.put("Os", "linux");
        details.put("Arch", arch());
        details.put("KernelVersion", kernel());
        details.put("Java", System.getProperty("java.version"));
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Platform", Map.of("Name", "jpod"));
        v.put("Components", List.of(Map.of("Name", "Engine", "Version", VersionCommand.VERSION, "Details", details)));
        v.put("Version", VersionCommand.VERSION);
        v.put("ApiVersion", HttpExchange.API_VERSION);
        v.put("MinAPIVersion", HttpExchange.MIN_API_VERSION);
        v.put("GitCommit", "");
        v.put("GoVersion", "java" + System.getProperty("java.version"));
        v.put("Os", "linux");
        v.put("Arch", arch());
        v.put("KernelVersion", kernel());
        v.put("BuildTime", "");
        ex.json(200, v);
    }

    void info(HttpExchange ex) throws IOException {
        Map<String, Object> i = new LinkedHashMap<>();
        try (Engine engine = api.engine()) {
            io.jpod.engine.system.SystemInfoReport report = engine.system().info();
            long running = report.containersRunning();
            long paused = 0; // jpod has no pause
            i.put("ID", "jpod");
            i.put("Containers", report.containerCount());
            i.put("ContainersRunning", running);
            i.put("ContainersPaused", paused);
            i.put("ContainersStopped", report.containerCount() - running - paused);
            i.put("Images", report.imageCount());
            i.put("Driver", report.graphDriverName());
            i.put("DriverStatus", List.of(List.of("Reason", report.graphDriverReason())));
            i.put("DockerRootDir", report.graphRoot());
        }
        i.put("Plugins", Map.of("Volume", List.of("local"), "Network", List.of("slirp4netns", "none", "host"),
                "Log", List.of("k8s-file", "none")));
        i.put("MemoryLimit", true);
        i.put("SwapLimit", true);
        i.put("CpuCfsPeriod", true);
        i.put("CpuCfsQuota", true);
        i.put("CPUShares", true);
        i.put("PidsLimit", true);
        i.put("IPv4Forwarding", true);
        i.put("Debug", false);
        i.put("NFd", 0);
        i.put("NGoroutines", Thread.activeCount());
        i.put("SystemTime", Instant.now().toString());
        i.put("LoggingDriver", "k8s-file");
        i.put("CgroupDriver", "cgroupfs");
        i.put("CgroupVersion", Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1");
        i.put("NEventsListener", 0);
        i.put("KernelVersion", kernel());
        i.put("OperatingSystem", operatingSystem());
        i.put("OSVersion", "");
        i.put("OSType", "linux");
        i.put("Architecture", arch());
        i.put("IndexServerAddress", "https://index.docker.io/v1/");
        i.put("RegistryConfig", Map.of("IndexConfigs", Map.of(), "InsecureRegistryCIDRs", List.of(), "Mirrors", List.of()));
        i.put("NCPU", Runtime.getRuntime().availableProcessors());
        i.put("MemTotal", memTotal());
        i.put("Name", hostname());
        i.put("Labels", List.of());
        i.put("ExperimentalBuild", false);
        i.put("ServerVersion", VersionCommand.VERSION);
        i.put("Runtimes", Map.of("jpod-helper", Map.of("path", "jpod-helper")));
        i.put("DefaultRuntime", "jpod-helper");
        i.put("Swarm", Map.of("LocalNodeState", "inactive", "NodeID", "", "NodeAddr", "", "ControlAvailable", false));
        i.put("LiveRestoreEnabled", true);
        i.put("Isolation", "");
        i.put("InitBinary", "");
        i.put("SecurityOptions", List.of("name=seccomp,profile=default", "name=rootless"));
        i.put("Warnings", List.of());
        ex.json(200, i);
    }

    private static String operatingSystem() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring(12).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return "linux";
    }

    private static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Credentials are checked when they are used (a pull with X-Registry-Auth); docker's answer for a login. */
    void auth(HttpExchange ex) throws IOException {
        ex.request.bodyBytes(1 << 16);
        ex.json(200, Map.of("Status", "Login Succeeded", "IdentityToken", ""));
    }

    /**
     * The event log in docker's shape: what happened since {@code since} (unix seconds), then, without an
     * {@code until} in the past, what happens until {@code until} or the client goes away.
     */
    void events(HttpExchange ex) throws IOException {
        Instant since = unixTime(ex.request.param("since"), "since");
        if (since == null) {
            since = Instant.now(); // without since, docker streams what happens from now on
        }
        Instant until = unixTime(ex.request.param("until"), "until");
        Map<String, List<String>> filters = Filters.parse(ex.request.param("filters"));
        EventStream subscription;
        try (Engine engine = api.engine()) {
            subscription = engine.system().events(new EventOptions(since, until, true)); // the stream needs no store
        }
        OutputStream out = ex.stream(200, "application/json");
        try (EventStream events = subscription) {
            follow(out, filters, events);
        }
        out.close();
    }

    private static void follow(OutputStream out, Map<String, List<String>> filters, EventStream events) throws IOException {
        boolean first = true;
        for (List<Event> batch = events.next(); batch != null; batch = events.next()) {
            for (Event e : batch) {
                Map<String, Object> d = dockerEvent(e);
                if (d != null && Filters.matchesEvent(filters, d)) {
                    out.write(HttpExchange.JSON.writeValueAsBytes(d));
                    out.write('\n');
                }
            }
            if (first) {
                out.flush();
                first = false;
            }
        }
    }

    /** One jpod (podman-named) event as docker names it; null for events docker has no name for. */
    static Map<String, Object> dockerEvent(Event e) {
        String type = e.type() == null ? "container" : e.type();
        String action = e.status();
        if (type.equals("container")) {
            action = switch (action) {
                case "died" -> "die";
                case "remove" -> "destroy";
                case "cleanup", "init", "mount", "unmount", "sync" -> null;
                default -> action;
            };
        } else if (type.equals("image")) {
            action = switch (action) {
                case "remove" -> "delete";
                case "loadfromarchive" -> "load";
                default -> action;
            };
        }
        if (action == null) {
            return null;
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        if (e.attributes() != null) {
            e.attributes().forEach((k, v) -> attrs.put(k.equals("containerExitCode") ? "exitCode" : k, v)); // docker's key
        }
        if (e.image() != null && !e.image().isEmpty()) {
            attrs.put("image", e.image());
        }
        if (e.name() != null && !e.name().isEmpty()) {
            attrs.put("name", e.name());
        }
        Instant t = e.instant();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("status", action);
        d.put("id", e.id() == null ? "" : e.id());
        d.put("from", e.image() == null ? "" : e.image());
        d.put("Type", type);
        d.put("Action", action);
        d.put("Actor", Map.of("ID", e.id() == null ? "" : e.id(), "Attributes", attrs));
        d.put("scope", "local");
        d.put("time", t.getEpochSecond());
        d.put("timeNano", t.getEpochSecond() * 1_000_000_000L + t.getNano());
        return d;
    }

    /** docker's time parameters: unix seconds with an optional fraction ("1700000000.000000001"); RFC 3339 too. */
    static Instant unixTime(String v, String name) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            if (v.matches("\\d+(\\.\\d{1,9})?")) {
                String[] p = v.split("\\.");
                long nanos = p.length > 1 ? Long.parseLong((p[1] + "000000000").substring(0, 9)) : 0;
                return Instant.ofEpochSecond(Long.parseLong(p[0]), nanos);
            }
            return Instant.parse(v);
        } catch (RuntimeException e) {
            throw HttpError.badRequest("invalid value for " + name + ": " + HttpRequest.printable(v)
                    + " is not a unix timestamp or an RFC 3339 time");
        }
    }

    void df(HttpExchange ex) throws IOException {
        Map<String, Object> d = new LinkedHashMap<>();
        try (Engine engine = api.engine()) {
            List<io.jpod.engine.container.ContainerListReport> cs = engine.containers().list(
                    new io.jpod.engine.container.ContainerListOptions(true));
            List<Object> images = new ArrayList<>();
            long layers = 0;
            for (io.jpod.engine.image.ImageSummaryReport r : engine.images().list(new io.jpod.engine.image.ImageListOptions(true))) {
                Map<String, Object> s = ImageEndpoints.summary(r);
                s.put("Containers", cs.stream().filter(c -> r.id().equals(c.imageId())).count());
                images.add(s);
                layers += r.size();
            }
            d.put("LayersSize", layers);
            d.put("Images", images);
            List<Object> containers = new ArrayList<>();
            for (io.jpod.engine.container.ContainerListReport c : cs) {
                Map<String, Object> s = ContainerEndpoints.summary(c);
                s.put("SizeRw", 0);
                s.put("SizeRootFs", 0);
                containers.add(s);
            }
            d.put("Containers", containers);
            d.put("Volumes", VolumeEndpoints.list(engine, true));
        }
        d.put("BuildCache", List.of());
        ex.json(200, d);
    }
}
