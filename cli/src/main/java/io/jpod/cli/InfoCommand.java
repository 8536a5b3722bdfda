package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.system.SystemInfoReport;
import io.jpod.rootless.HostUser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod info`: what jpod sees of the host and where it keeps things. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show host and storage information.")
public final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json, text (default), or a Go template, e.g. '{{.Host.Arch}}' "
            + "or '{{.Store.GraphDriverName}}'")
    String format;

    @Override
    public Integer call() throws IOException {
        try (Engine engine = jpod.engine()) {
            Map<String, Object> host = new LinkedHashMap<>();
            HostUser user = HostUser.current();
            host.put("arch", goArch());
            host.put("buildahVersion", VersionCommand.VERSION); // podman names its image builder's version; jpod builds itself
            host.put("kernel", System.getProperty("os.version"));
            host.put("os", "linux");
            host.put("hostname", hostname());
            host.put("distribution", distribution());
            host.put("rootless", true);
            host.put("security", Map.of("rootless", true));
            host.put("user", user.name() + " (uid " + user.uid() + ", gid " + user.gid() + ")");
            host.put("uidMap", Files.readString(Path.of("/proc/self/uid_map")).strip().replaceAll("\\s+", " "));
            host.put("gidMap", Files.readString(Path.of("/proc/self/gid_map")).strip().replaceAll("\\s+", " "));
            String cgroupVersion = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "v2" : "v1";
            host.put("cgroupVersion", cgroupVersion);
            host.put("cgroupsVersion", cgroupVersion);
            host.put("cgroupManager", "cgroupfs"); // jpod writes the cgroup files itself, as podman's cgroupfs manager
            // podman's container monitor is conmon; jpod's is its helper (`jpod-helper monitor`), reported in conmon's place
            Map<String, Object> monitor = new LinkedHashMap<>();
            monitor.put("package", "jpod-helper " + VersionCommand.VERSION);
            monitor.put("path", helperPath(jpod.env));
            monitor.put("version", "jpod-helper version " + VersionCommand.VERSION);
            host.put("conmon", monitor);
            // jpod's OCI runtime is its own helper: it sets up namespaces, mounts and the process
            Map<String, Object> runtime = new LinkedHashMap<>();
            runtime.put("name", "jpod-helper");
            runtime.put("path", helperPath(jpod.env));
            runtime.put("version", VersionCommand.VERSION);
            host.put("ociRuntime", runtime);
            host.put("eventLogger", "file");
            host.put("logDriver", "k8s-file");
            host.put("slirp4netns", Map.of("executable", slirp4netns()));
            host.put("networkBackend", "slirp4netns"); // how rootless containers reach the network; jpod has no bridge networks
            host.put("java", System.getProperty("java.version"));
            // the Docker-compatible API of the per-user service (podman's key): DOCKER_HOST=unix://PATH
            Path dockerSocket = engine.dirs().runRoot().path().resolve(io.jpod.cli.api.DockerApiService.SOCKET_NAME);
            host.put("remoteSocket", Map.of("path", "unix://" + dockerSocket, "exists", Files.exists(dockerSocket)));
            Map<String, Object> store = new LinkedHashMap<>();
            SystemInfoReport report = engine.system().info();
            store.put("graphRoot", report.graphRoot());
            store.put("runRoot", report.runRoot());
            store.put("volumePath", report.volumePath());
            store.put("graphDriverName", report.graphDriverName());
            store.put("graphDriverReason", report.graphDriverReason());
            store.put("graphOptions", Map.of());
            store.put("graphStatus", Map.of());
            int images = report.imageCount();
            int containers = report.containerCount();
            store.put("imageCount", images);
            store.put("containerCount", containers);
            store.put("imageStore", Map.of("number", images));
            store.put("containerStore", Map.of("number", containers));
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("host", host);
            all.put("store", store);
            all.put("registries", Map.of("search", io.jpod.image.RegistriesConf.load(jpod.env).searchRegistries()));
            all.put("cgroups", report.cgroups());
            OutputFormat fmt = OutputFormat.of(format, "text");
            if (fmt.isJson()) {
                jpod.out.println(Formats.json(all));
            } else if (fmt.isTemplate()) { // podman's Go names: .Host.Arch for host.arch
                fmt.print(jpod.out, List.of(OutputFormat.capitalised(all)), Map.of());
            } else {
                printNested(all, "");
            }
            return 0;
        }
    }

    /** YAML-like, as podman's text output: a map's keys one level deeper, an empty map as {}. */
    private void printNested(Map<?, ?> map, String indent) {
        map.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m && !m.isEmpty()) {
                jpod.out.println(indent + k + ":");
                printNested(m, indent + "  ");
            } else {
                jpod.out.println(indent + k + ": " + (v instanceof Map<?, ?> ? "{}" : v));
            }
        });
    }

    /** The distribution's ID and version (podman's .Host.Distribution) from os-release. */
    static Map<String, String> distribution() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("distribution", "unknown");
        d.put("version", "unknown");
        for (String file : new String[]{"/etc/os-release", "/usr/lib/os-release"}) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    int eq = line.indexOf('=');
                    if (eq < 0) {
                        continue;
                    }
                    String value = line.substring(eq + 1).replaceAll("^\"|\"$", "");
                    switch (line.substring(0, eq)) {
                        case "ID" -> d.put("distribution", value);
                        case "VERSION_ID" -> d.put("version", value);
                        case "VERSION_CODENAME" -> d.put("codename", value);
                        default -> { }
                    }
                }
                break;
            } catch (IOException e) {
                // try the next location
            }
        }
        return d;
    }

    /** The slirp4netns on PATH, which jpod's helper starts for a container's network ("" when there is none). */
    private static String slirp4netns() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "slirp4netns");
            if (Files.isExecutable(p)) {
                return p.toAbsolutePath().toString();
            }
        }
        return "";
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String helperPath(Map<String, String> env) {
        try {
            return io.jpod.rootless.NativeHelper.locate(env).binary().toString();
        } catch (RuntimeException e) {
            return "";
        }
    }

    static String goArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }
}
