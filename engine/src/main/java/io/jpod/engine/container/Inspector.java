package io.jpod.engine.container;


import io.jpod.engine.network.Ipv6Ipam;

import io.jpod.engine.network.BridgeNetworking;
import io.jpod.engine.network.Networks;
import io.jpod.engine.Dirs;
import io.jpod.engine.EngineException;
import io.jpod.storage.ContainerState;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.Store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** `jpod inspect`: podman's JSON shape for a container (State, Config, Mounts, NetworkSettings, HostConfig basics). */
public final class Inspector {
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private Inspector() {
    }

    public static Map<String, Object> inspect(ContainerRecord c, Store store, Lifecycle lc, Dirs dirs) {
        ContainerLifecycle life = c.lifecycle();
        ContainerLifecycle.Config cfg = life == null ? null : life.config();
        boolean running = c.state() == ContainerState.RUNNING;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Created", time(c.created()));
        List<String> cmd = c.command();
        m.put("Path", cmd.isEmpty() ? "" : cmd.get(0));
        m.put("Args", cmd.isEmpty() ? List.of() : cmd.subList(1, cmd.size()));

        Map<String, Object> state = new LinkedHashMap<>();
        state.put("OciVersion", "1.0.2");
        state.put("Status", (running && lc.stopping(c) ? ContainerState.STOPPING : c.state()).value());
        state.put("Running", running);
        state.put("Paused", false);
        state.put("Restarting", false);
        state.put("OOMKilled", life != null && Boolean.TRUE.equals(life.oomKilled()));
        state.put("Dead", false);
        long pid = 0;
        if (running) {
            try {
                pid = lc.initPid(c);
            } catch (EngineException e) {
                pid = 0;
            }
        }
        state.put("Pid", pid);
        state.put("ConmonPid", running && life.monitorPid() != null ? life.monitorPid() : 0);
        state.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
        state.put("Error", life == null || life.error() == null ? "" : life.error());
        state.put("StartedAt", life == null ? ZERO_TIME : time(life.startedAt()));
        state.put("FinishedAt", life == null ? ZERO_TIME : time(life.finishedAt()));
        HealthChecks.State health = HealthChecks.state(store, c);
        if (health != null) {
            state.put("Health", health);
        }
        m.put("State", state);

        m.put("Image", c.imageId() == null ? "" : c.imageId().replaceFirst("^sha256:", ""));
        m.put("ImageDigest", c.imageId() == null ? "" : store.images().get(c.imageId()).map(i -> i.manifestDigest()).orElse(""));
        m.put("ImageName", c.imageName());
        m.put("Rootfs", "");
        m.put("ResolvConfPath", dirs.runRoot().containerDir(c.id()).resolve("resolv.conf").toString());
        m.put("HostnamePath", dirs.runRoot().containerDir(c.id()).resolve("hostname").toString());
        m.put("HostsPath", RunFlags.noHosts(cfg) ? "" : dirs.runRoot().containerDir(c.id()).resolve("hosts").toString());
        m.put("Name", c.name());
        m.put("RestartCount", c.lifecycle() == null || c.lifecycle().restartCount() == null ? 0 : c.lifecycle().restartCount());
        m.put("OCIRuntime", RunFlags.ociRuntime(cfg));
        m.put("Driver", cfg == null || cfg.storageDriver() == null ? "" : cfg.storageDriver());
        m.put("MountLabel", "");
        m.put("ProcessLabel", "");
        m.put("Mounts", new ArrayList<>());
        m.put("IsInfra", io.jpod.engine.pod.Pods.isInfra(store, c));
        m.put("IsService", io.jpod.engine.pod.ServiceContainers.isService(c));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", cfg == null ? "" : cfg.hostname());
        config.put("Domainname", "");
        config.put("User", cfg == null ? "" : cfg.user());
        config.put("AttachStdin", false);
        config.put("AttachStdout", false);
        config.put("AttachStderr", false);
        config.put("Tty", cfg != null && cfg.tty());
        config.put("OpenStdin", cfg != null && cfg.interactive());
        config.put("StdinOnce", false);
        config.put("Env", cfg == null || cfg.env() == null ? List.of() : cfg.env());
        config.put("Cmd", cmd);
        config.put("Image", c.imageName());
        config.put("Volumes", null);
        config.put("WorkingDir", cfg == null ? "/" : cfg.workdir());
        config.put("Entrypoint", cfg == null || cfg.entrypoint() == null ? List.of() : cfg.entrypoint());
        config.put("Labels", cfg == null || cfg.labels() == null ? Map.of() : cfg.labels());
        config.put("Annotations", RunFlags.annotations(cfg));
        config.put("StopSignal", cfg == null || cfg.stopSignal() == null ? "SIGTERM" : Signals.name(Signals.parse(cfg.stopSignal())));
        config.put("StopTimeout", cfg == null || cfg.stopTimeout() == null ? 10 : cfg.stopTimeout());
        config.put("CreateCommand", List.of());
        if (cfg != null && cfg.healthcheck() != null) {
            config.put("Healthcheck", cfg.healthcheck());
        }
        config.put("Timezone", RunFlags.timezone(cfg));
        m.put("Config", config);

        Map<String, Object> net = new LinkedHashMap<>();
        net.put("EndpointID", "");
        net.put("Gateway", "");
        net.put("IPAddress", "");
        net.put("IPPrefixLen", 0);
        net.put("MacAddress", "");
        net.put("Bridge", "");
        net.put("SandboxID", "");
        net.put("HairpinMode", false);
        net.put("Ports", Map.of());
        net.put("SandboxKey", running && pid > 0 ? "/proc/" + pid + "/ns/net" : "");
        if (cfg != null && BridgeNetworking.isBridge(cfg.network())) {
            bridgeNetworks(net, new Networks(store).leasesOf(c.id()));
        }
        m.put("NetworkSettings", net);

        Map<String, Object> host = new LinkedHashMap<>();
        host.put("AutoRemove", cfg != null && cfg.autoRemove());
        host.put("NetworkMode", cfg == null || cfg.network() == null ? "slirp4netns" : cfg.network());
        host.put("Init", cfg != null && cfg.init());
        RestartPolicy restart = RestartPolicy.parse(cfg == null ? null : cfg.restart());
        host.put("RestartPolicy", Map.of("Name", restart.isNo() ? "" : restart.name(), "MaximumRetryCount", restart.maxRetries()));
        Path logFile = lc.logFile(c);
        host.put("LogConfig", LogConfig.inspect(c, logFile));
        RunFlags.inspectHost(cfg, host);
        host.put("UsernsMode", NestedUserns.inspectMode(lc.baseSpec(c.id())));
        m.put("HostConfig", host);
        m.put("LogPath", logFile.toString());
        return m;
    }

    private static String time(Instant t) {
        return t == null ? ZERO_TIME : t.toString();
    }

    /** podman's per-network entries (and the first network's address at the top) for a container on user networks. */
    private static void bridgeNetworks(Map<String, Object> net,
                                       List<Map.Entry<io.jpod.storage.NetworkRecord, io.jpod.storage.NetworkLease>> leases) {
        Map<String, Object> networks = new LinkedHashMap<>();
        for (var e : leases) {
            io.jpod.storage.NetworkRecord.Subnet s = e.getKey().subnets().get(0);
            int prefix = io.jpod.network.Ipv4Subnet.parse(s.subnet()).prefix();
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("EndpointID", "");
            n.put("Gateway", s.gateway());
            n.put("IPAddress", e.getValue().ip());
            n.put("IPPrefixLen", prefix);
            io.jpod.storage.NetworkRecord.Subnet s6 = Ipv6Ipam.ipv6Subnet(e.getKey());
            String ip6 = s6 == null ? null : e.getValue().ipv6();
            n.put("IPv6Gateway", ip6 == null ? "" : s6.gateway());
            n.put("GlobalIPv6Address", ip6 == null ? "" : ip6);
            n.put("GlobalIPv6PrefixLen", ip6 == null ? 0 : io.jpod.network.Ipv6Subnet.parse(s6.subnet()).prefix());
            n.put("MacAddress", "");
            n.put("NetworkID", e.getKey().name());
            n.put("DriverOpts", null);
            n.put("IPAMConfig", null);
            n.put("Links", null);
            n.put("Aliases", e.getValue().aliases());
            networks.put(e.getKey().name(), n);
            if (networks.size() == 1) {
                net.put("Gateway", s.gateway());
                net.put("IPAddress", e.getValue().ip());
                net.put("IPPrefixLen", prefix);
                net.put("Bridge", e.getKey().networkInterface());
            }
        }
        net.put("Networks", networks);
    }
}
