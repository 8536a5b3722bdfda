package io.jpod.cli;

import io.jpod.engine.Engine;
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
            host.put("kernel", System.getProperty("os.version"));
            host.put("rootless", true);
            host.put("user", user.name() + " (uid " + user.uid() + ", gid " + user.gid() + ")");
            host.put("uidMap", Files.readString(Path.of("/proc/self/uid_map")).strip().replaceAll("\\s+", " "));
            host.put("gidMap", Files.readString(Path.of("/proc/self/gid_map")).strip().replaceAll("\\s+", " "));
            host.put("cgroupVersion", Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "v2" : "v1");
            host.put("java", System.getProperty("java.version"));
            Map<String, Object> store = new LinkedHashMap<>();
            store.put("graphRoot", engine.dirs().storageRoot().toString());
            store.put("runRoot", engine.dirs().runRoot().path().toString());
            store.put("graphDriverName", engine.storageDriverName());
            store.put("graphDriverReason", engine.storageDriverReason());
            store.put("imageCount", engine.images().size());
            store.put("containerCount", engine.containers().size());
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("host", host);
            all.put("store", store);
            all.put("cgroups", engine.cgroupInfo());
            OutputFormat fmt = OutputFormat.of(format, "text");
            if (fmt.isJson()) {
                jpod.out.println(Formats.json(all));
            } else if (fmt.isTemplate()) { // podman's Go names: .Host.Arch for host.arch
                fmt.print(jpod.out, List.of(OutputFormat.capitalised(all)), Map.of());
            } else {
                all.forEach((section, values) -> {
                    jpod.out.println(section + ":");
                    ((Map<?, ?>) values).forEach((k, v) -> jpod.out.println("  " + k + ": " + v));
                });
            }
            return 0;
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
