package io.jpod.engine.pod;

import io.jpod.engine.image.ImageSettings;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.container.CgroupLimits;
import io.jpod.engine.container.ContainerEnv;
import io.jpod.engine.container.ContainerRecords;
import io.jpod.network.PortMapping;
import io.jpod.network.PortParser;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.PodRecord;
import io.jpod.storage.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `kube generate`: a pod, a container or several as Kubernetes objects (a v1 Pod or an apps/v1 Deployment, and with
 * --service a v1 Service), built as plain maps in the API's field order and written as YAML by {@link KubeYaml}.
 * Only fields the API defines are written (the tests validate every document against the typed Kubernetes model).
 */
public final class KubeGenerator {
    /** What every container gets by default and needs no line: set by the engine, not by the user or the image. */
    private static final Set<String> ENGINE_ENV = Set.of("HOSTNAME", "container", "HOME", "TERM");

    private final Store store;
    private final Engine engine;
    private final Pods pods;
    private final ContainerRecords records;

    public KubeGenerator(Store store, Engine engine, Pods pods, ContainerRecords records) {
        this.store = store;
        this.engine = engine;
        this.pods = pods;
        this.records = records;
    }

    /** The YAML of {@code names} (one pod, or containers): podman's header comment, then the documents. */
    public String generate(List<String> names, String type, boolean service) {
        if (!type.equals("pod") && !type.equals("deployment")) {
            throw new EngineException("invalid type given, only supported types are pod and deployment");
        }
        // named volumes become PersistentVolumeClaims (podman's {CONTAINER...|POD...|VOLUME...}); the rest as before
        List<Map<String, Object>> claims = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String n : names) {
            if (!engine.containers().exists(n) && !pods.exists(n) && engine.volumes().exists(n)) {
                claims.add(claim(engine.volumes().inspect(n)));
            } else {
                rest.add(n);
            }
        }
        names = rest;
        if (names.isEmpty()) {
            return header() + String.join("---\n", claims.stream().map(KubeYaml::write).toList());
        }
        String name;
        List<ContainerRecord> containers = new ArrayList<>();
        PodRecord pod = null;
        if (names.size() == 1 && pods.exists(names.get(0)) && !engine.containers().exists(names.get(0))) {
            pod = pods.get(names.get(0));
            name = pod.name();
            List<ContainerRecord> cs = new ArrayList<>(pods.containers(pod));
            java.util.Collections.reverse(cs); // in the order they were added
            containers.addAll(cs);
            if (containers.isEmpty()) {
                throw new EngineException("pod " + pod.name() + " only has an infra container: add a container to it first");
            }
        } else {
            for (String n : names) {
                if (!engine.containers().exists(n)) {
                    throw new EngineException("name or ID " + n + " not found");
                }
                containers.add(records.get(n));
            }
            name = names.size() == 1 ? containers.get(0).name() + "-pod" : containers.get(0).name() + "-pod";
        }
        Map<String, Object> podSpec = podSpec(pod, containers);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", name);
        if (pod != null) {
            labels.putAll(pod.labels());
        }
        List<Map<String, Object>> docs = new ArrayList<>();
        if (type.equals("deployment")) {
            docs.add(deployment(name, labels, podSpec));
        } else {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("apiVersion", "v1");
            p.put("kind", "Pod");
            p.put("metadata", metadata(name, labels));
            p.put("spec", podSpec);
            docs.add(p);
        }
        if (service) {
            docs.add(0, service(name, podSpec)); // first, as podman writes it
        }
        docs.addAll(0, claims);
        StringBuilder out = new StringBuilder(header());
        for (int i = 0; i < docs.size(); i++) {
            if (i > 0) {
                out.append("---\n");
            }
            out.append(KubeYaml.write(docs.get(i)));
        }
        return out.toString();
    }

    private static String header() {
        return "# Save the output of this file and use kubectl create -f to import\n# it into Kubernetes.\n#\n# Created with jpod\n";
    }

    /** podman's claim for a named volume: its driver as an annotation, 1Gi asked for. */
    private static Map<String, Object> claim(io.jpod.engine.volume.VolumeReport v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("annotations", Map.of("volume.podman.io/driver", v.driver()));
        m.put("creationTimestamp", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        m.put("name", v.name());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("accessModes", List.of("ReadWriteOnce"));
        spec.put("resources", Map.of("requests", Map.of("storage", "1Gi")));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("apiVersion", "v1");
        c.put("kind", "PersistentVolumeClaim");
        c.put("metadata", m);
        c.put("spec", spec);
        return c;
    }

    private static Map<String, Object> metadata(String name, Map<String, String> labels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("creationTimestamp", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        m.put("labels", labels);
        m.put("name", name);
        return m;
    }

    private static Map<String, Object> deployment(String name, Map<String, String> labels, Map<String, Object> podSpec) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("apiVersion", "apps/v1");
        d.put("kind", "Deployment");
        d.put("metadata", metadata(name + "-deployment", labels));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", 1);
        spec.put("selector", Map.of("matchLabels", Map.of("app", name)));
        Map<String, Object> template = new LinkedHashMap<>();
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("creationTimestamp", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        tm.put("labels", labels);
        template.put("metadata", tm);
        Map<String, Object> ps = new LinkedHashMap<>(podSpec);
        ps.put("restartPolicy", "Always"); // the only policy a Deployment's template may have
        template.put("spec", ps);
        spec.put("template", template);
        d.put("spec", spec);
        return d;
    }

    private static Map<String, Object> service(String name, Map<String, Object> podSpec) {
        List<Map<String, Object>> ports = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> containers = (List<Map<String, Object>>) podSpec.get("containers");
        for (Map<String, Object> c : containers) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> cps = (List<Map<String, Object>>) c.getOrDefault("ports", List.of());
            for (Map<String, Object> cp : cps) {
                String proto = (String) cp.getOrDefault("protocol", "TCP");
                Map<String, Object> sp = new LinkedHashMap<>();
                sp.put("name", proto.equals("TCP") ? cp.get("containerPort").toString()
                        : cp.get("containerPort") + "-" + proto.toLowerCase(java.util.Locale.ROOT));
                sp.put("port", cp.get("containerPort"));
                sp.put("protocol", proto);
                sp.put("targetPort", cp.get("containerPort"));
                ports.add(sp);
            }
        }
        if (ports.isEmpty()) {
            throw new EngineException("a Service needs ports, and no container of " + name + " publishes one: publish a port (-p) or leave out --service");
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("apiVersion", "v1");
        s.put("kind", "Service");
        s.put("metadata", metadata(name, Map.of("app", name)));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ports", ports);
        spec.put("selector", Map.of("app", name));
        spec.put("type", "NodePort");
        s.put("spec", spec);
        return s;
    }

    private Map<String, Object> podSpec(PodRecord pod, List<ContainerRecord> containers) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("automountServiceAccountToken", false); // as podman: nothing here needs the cluster's API
        List<Map<String, Object>> cs = new ArrayList<>();
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        List<PortMapping> podPorts = new ArrayList<>();
        if (pod != null) {
            pod.publish().forEach(p -> podPorts.addAll(PortParser.parse(p)));
        }
        String restart = null;
        for (int i = 0; i < containers.size(); i++) {
            ContainerRecord c = containers.get(i);
            // a pod's ports go to its first container, as podman writes them
            List<PortMapping> ports = pod != null ? (i == 0 ? podPorts : List.of()) : engine.ports(c.id());
            cs.add(container(c, pod, ports, volumes));
            KubeSource src = KubeSource.read(store.containers().dir(c.id()));
            if (restart == null && src.restart() != null) {
                restart = src.restart();
            }
        }
        spec.put("containers", cs);
        spec.put("enableServiceLinks", false);
        if (pod != null && pod.share().contains("uts")) {
            spec.put("hostname", Pods.hostname(pod));
        }
        if (pod != null && pod.share().contains("pid")) {
            spec.put("shareProcessNamespace", true);
        }
        spec.put("restartPolicy", restartPolicy(restart));
        if (!volumes.isEmpty()) {
            spec.put("volumes", new ArrayList<>(volumes.values()));
        }
        return spec;
    }

    private static String restartPolicy(String restart) {
        if (restart == null || restart.isEmpty() || restart.equals("no")) {
            return "Never";
        }
        return restart.startsWith("on-failure") ? "OnFailure" : "Always";
    }

    private Map<String, Object> container(ContainerRecord c, PodRecord pod, List<PortMapping> ports, Map<String, Map<String, Object>> volumes) {
        ContainerLifecycle.Config cfg = c.lifecycle() == null ? null : c.lifecycle().config();
        ImageSettings image = ImageSettings.parse(store.images().config(c.imageId()));
        KubeSource src = KubeSource.read(store.containers().dir(c.id()));
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> argv = c.command();
        List<String> entrypoint = cfg == null || cfg.entrypoint() == null ? List.of() : cfg.entrypoint();
        List<String> imageEntrypoint = image.entrypoint() == null ? List.of() : image.entrypoint();
        List<String> imageCmd = image.cmd() == null ? List.of() : image.cmd();
        if (!entrypoint.isEmpty() && argv.size() >= entrypoint.size() && argv.subList(0, entrypoint.size()).equals(entrypoint)) {
            List<String> args = argv.subList(entrypoint.size(), argv.size());
            if (!entrypoint.equals(imageEntrypoint)) {
                m.put("command", entrypoint);
            }
            if (!args.isEmpty() && (!args.equals(imageCmd) || !entrypoint.equals(imageEntrypoint))) {
                m.put("args", List.copyOf(args)); // none: a command given alone runs without the image's CMD, as --entrypoint
            }
        } else if (!argv.equals(imageCmd)) {
            m.put("command", argv);
        }
        List<Map<String, Object>> env = new ArrayList<>();
        Set<String> imageEnv = Set.copyOf(image.env() == null ? List.of() : image.env());
        for (String e : cfg == null || cfg.env() == null ? List.<String>of() : cfg.env()) {
            int eq = e.indexOf('=');
            String k = e.substring(0, eq);
            if (imageEnv.contains(e) || ENGINE_ENV.contains(k) || e.equals("PATH=" + ContainerEnv.DEFAULT_PATH)) {
                continue;
            }
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("name", k);
            ev.put("value", e.substring(eq + 1));
            env.add(ev);
        }
        if (!env.isEmpty()) {
            m.put("env", env);
        }
        m.put("image", c.imageName());
        // kube play names a pod's containers POD-NAME: the YAML has NAME, so it plays again to the same names
        m.put("name", pod != null && c.name().startsWith(pod.name() + "-") && c.name().length() > pod.name().length() + 1
                ? c.name().substring(pod.name().length() + 1) : c.name());
        if (!ports.isEmpty()) {
            List<Map<String, Object>> ps = new ArrayList<>();
            for (PortMapping p : ports) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("containerPort", p.containerPort());
                if (p.hostIp() != null && !p.hostIp().isEmpty() && !p.hostIp().equals("0.0.0.0")) {
                    pm.put("hostIP", p.hostIp());
                }
                if (p.hostPort() > 0) {
                    pm.put("hostPort", p.hostPort());
                }
                if (!p.protocol().equals("tcp")) {
                    pm.put("protocol", p.protocol().toUpperCase(java.util.Locale.ROOT));
                }
                ps.add(pm);
            }
            m.put("ports", ps);
        }
        Map<String, Object> limits = new LinkedHashMap<>();
        if (src.memory() != null) {
            limits.put("memory", Long.toString(CgroupLimits.parseSize("--memory", src.memory())));
        }
        if (src.cpus() != null) {
            limits.put("cpu", Math.round(Double.parseDouble(src.cpus()) * 1000) + "m");
        }
        if (!limits.isEmpty()) {
            m.put("resources", Map.of("limits", limits));
        }
        Map<String, Object> sc = securityContext(src);
        if (!sc.isEmpty()) {
            m.put("securityContext", sc);
        }
        List<Map<String, Object>> mounts = new ArrayList<>();
        for (String v : src.volumes()) {
            String[] f = v.split(":");
            if (f.length < 2) {
                continue; // an anonymous volume: nothing a cluster could give it
            }
            boolean named = !f[0].startsWith("/") && !f[0].startsWith(".");
            String volName = named ? f[0] : volumeName(f[0]);
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("mountPath", f[1]);
            vm.put("name", volName);
            if (f.length > 2 && List.of(f[2].split(",")).contains("ro")) {
                vm.put("readOnly", true);
            }
            mounts.add(vm);
            Map<String, Object> vol = new LinkedHashMap<>();
            vol.put("name", volName);
            if (named) {
                vol.put("persistentVolumeClaim", Map.of("claimName", f[0]));
            } else {
                vol.put("hostPath", Map.of("path", f[0], "type", java.nio.file.Files.isDirectory(java.nio.file.Path.of(f[0])) ? "Directory" : "File"));
            }
            volumes.putIfAbsent(volName, vol);
        }
        if (cfg != null && cfg.workdir() != null && !cfg.workdir().equals(image.workingDir() == null || image.workingDir().isEmpty() ? "/" : image.workingDir())) {
            m.put("workingDir", cfg.workdir());
        }
        if (!mounts.isEmpty()) {
            m.put("volumeMounts", mounts);
        }
        return m;
    }

    /** podman's volume name for a host path: its components joined by '-', lower case, as a DNS label. */
    private static String volumeName(String hostPath) {
        String n = hostPath.replaceAll("^/+|/+$", "").replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(java.util.Locale.ROOT);
        n = (n.isEmpty() ? "root" : n) + "-host";
        return n.length() > 63 ? n.substring(n.length() - 63).replaceAll("^-+", "") : n;
    }

    private static Map<String, Object> securityContext(KubeSource src) {
        Map<String, Object> sc = new LinkedHashMap<>();
        Map<String, Object> caps = new LinkedHashMap<>();
        List<String> add = src.capAdd().stream().map(KubeGenerator::capName).filter(n -> !io.jpod.rootless.Capabilities.PODMAN_DEFAULT.contains(n)).toList();
        List<String> drop = src.capDrop().stream().map(KubeGenerator::capName).filter(io.jpod.rootless.Capabilities.PODMAN_DEFAULT::contains).toList();
        if (!add.isEmpty()) {
            caps.put("add", add);
        }
        if (!drop.isEmpty()) {
            caps.put("drop", drop);
        }
        if (!caps.isEmpty()) {
            sc.put("capabilities", caps);
        }
        if (src.privileged()) {
            sc.put("privileged", true);
        }
        if (src.readOnly()) {
            sc.put("readOnlyRootFilesystem", true);
        }
        if (src.user() != null) {
            String[] ug = src.user().split(":", 2);
            if (ug[0].matches("\\d+")) {
                sc.put("runAsUser", Long.parseLong(ug[0]));
            }
            if (ug.length > 1 && ug[1].matches("\\d+")) {
                sc.put("runAsGroup", Long.parseLong(ug[1]));
            }
        }
        return sc;
    }

    private static String capName(String c) {
        String u = c.toUpperCase(java.util.Locale.ROOT);
        return u.startsWith("CAP_") ? u.substring(4) : u;
    }
}
