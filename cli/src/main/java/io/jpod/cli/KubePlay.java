package io.jpod.cli;

import io.jpod.engine.container.ContainerWaitOptions;
import io.jpod.engine.pod.PodRemoveOptions;
import io.jpod.engine.container.ContainerRemoveOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.pod.KubeYaml;
import io.jpod.engine.pod.PodCreateRequest;
import io.jpod.engine.container.RunRequest;
import io.jpod.engine.pod.PodCreateReport;
import io.jpod.engine.pod.ServiceContainers;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `kube play`: Kubernetes objects → jpod pods, containers and volumes. Each container becomes the argv of a `jpod run`
 * and is parsed by {@link RunCommand} itself, so every translated field means exactly what the flag means. A field or
 * kind jpod cannot honour is named in one warning line, never dropped silently.
 */
final class KubePlay {
    private static final Set<String> POD_SPEC = Set.of("containers", "initContainers", "volumes", "restartPolicy", "hostname",
            "shareProcessNamespace", "terminationGracePeriodSeconds", "dnsPolicy", "enableServiceLinks", "automountServiceAccountToken");
    private static final Set<String> CONTAINER = Set.of("name", "image", "command", "args", "env", "envFrom", "workingDir", "ports",
            "resources", "securityContext", "volumeMounts", "imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy",
            "stdin", "tty");
    private static final Set<String> VOLUME = Set.of("name", "hostPath", "emptyDir", "configMap", "secret", "persistentVolumeClaim");

    private final Engine engine;
    private final PrintStream out;
    private final PrintStream err;
    private final String network;
    private final boolean tlsVerify;
    private final boolean quiet;
    /** The images' pulls as the containers are made (the CLI renders them); null: nowhere. */
    private final java.util.function.Consumer<io.jpod.image.ImageProgressEvent> pullProgress;
    private final Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> secrets = new LinkedHashMap<>();

    KubePlay(Engine engine, PrintStream out, PrintStream err, String network, boolean tlsVerify, boolean quiet,
             java.util.function.Consumer<io.jpod.image.ImageProgressEvent> pullProgress) {
        this.engine = engine;
        this.pullProgress = pullProgress;
        this.out = out;
        this.err = err;
        this.network = network;
        this.tlsVerify = tlsVerify;
        this.quiet = quiet;
    }

    /** With --build: images built from directories of this one (null: pulled only). */
    private Path buildContext;

    KubePlay withBuild(Path contextDir) {
        this.buildContext = contextDir;
        return this;
    }

    /** --annotation: on every container, after the pod's own metadata.annotations. */
    private Map<String, String> annotations = Map.of();

    KubePlay withAnnotations(Map<String, String> given) {
        this.annotations = given;
        return this;
    }

    /** --service-container: one service container for the play's pods (see engine.pod.ServiceContainers). */
    private boolean serviceContainer;

    KubePlay withServiceContainer(boolean given) {
        this.serviceContainer = given;
        return this;
    }

    private void warn(String what) {
        err.println("jpod: warning: " + what);
    }

    void play(String text, String source, List<String> extraConfigMaps, boolean replace, boolean start) {
        if (serviceContainer && !start) { // podman's check, before anything is made
            throw new EngineException("running a service container requires starting the pod(s)");
        }
        List<JsonNode> docs = KubeYaml.readAll(text, source);
        for (String extra : extraConfigMaps) {
            for (JsonNode d : KubeYaml.readAll(extra, "--configmap")) {
                if ("ConfigMap".equals(d.path("kind").asText())) {
                    configMaps.put(d.path("metadata").path("name").asText(), strings(d.path("data")));
                }
            }
        }
        // ConfigMaps, Secrets and claims first: the pods refer to them whatever the order in the file
        List<JsonNode> pods = new ArrayList<>();
        List<String> volumes = new ArrayList<>();
        for (JsonNode d : docs) {
            String kind = d.path("kind").asText();
            String name = d.path("metadata").path("name").asText();
            switch (kind) {
                case "ConfigMap" -> configMaps.put(name, strings(d.path("data")));
                case "Secret" -> {
                    Map<String, String> data = new LinkedHashMap<>();
                    d.path("data").fields().forEachRemaining(e -> data.put(e.getKey(),
                            new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
                    data.putAll(strings(d.path("stringData")));
                    secrets.put(name, data);
                }
                case "PersistentVolumeClaim" -> {
                    if (!engine.volumes().exists(name)) {
                        engine.volumes().create(io.jpod.engine.volume.VolumeCreateOptions.named(name, Map.of()));
                    }
                    volumes.add(name);
                }
                case "Pod", "Deployment" -> pods.add(d);
                default -> warn("kind " + (kind.isEmpty() ? "(none)" : kind) + " of \"" + name + "\" is not supported by jpod; skipped");
            }
        }
        String serviceId = null;
        try {
            for (JsonNode d : pods) {
                if (serviceContainer && serviceId == null) { // made with the first pod, named after the YAML (podman's)
                    serviceId = engine.pods().createServiceContainer(ServiceContainers.name(text), replace);
                }
                playPod(d, replace, start, serviceId);
            }
        } catch (RuntimeException e) {
            if (serviceId != null && engine.containers().exists(serviceId)) {
                try { // the pods made so far stay (as podman's); a service container of none goes
                    engine.containers().remove(serviceId, new ContainerRemoveOptions(true, false, 0));
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        if (!volumes.isEmpty()) {
            out.println("Volumes:");
            volumes.forEach(out::println);
        }
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** The pod a Pod or Deployment document describes: its name, metadata and spec. */
    private record PodDoc(String name, JsonNode metadata, JsonNode spec) {
    }

    private PodDoc podDoc(JsonNode d) {
        if ("Deployment".equals(d.path("kind").asText())) {
            String name = d.path("metadata").path("name").asText();
            int replicas = d.path("spec").path("replicas").asInt(1);
            if (replicas != 1) {
                throw new EngineException("Deployment " + name + " asks for " + replicas + " replicas; jpod runs exactly one: set replicas to 1");
            }
            JsonNode template = d.path("spec").path("template");
            return new PodDoc(name + "-pod", template.path("metadata"), template.path("spec"));
        }
        return new PodDoc(d.path("metadata").path("name").asText(), d.path("metadata"), d.path("spec"));
    }

    private void playPod(JsonNode d, boolean replace, boolean start, String serviceId) {
        PodDoc doc = podDoc(d);
        if (doc.name.isEmpty()) {
            throw new EngineException("a " + d.path("kind").asText() + " without metadata.name: give it a name");
        }
        JsonNode spec = doc.spec;
        unknownFields(spec, POD_SPEC, "spec of " + doc.name);
        KubeBuild.checkAnnotations(doc.metadata);
        if (replace && engine.pods().exists(doc.name)) {
            engine.pods().remove(doc.name, new PodRemoveOptions(true, 0));
        }
        if (buildContext != null) {
            KubeBuild.buildImages(engine, spec, buildContext, out);
        }
        List<String> publish = new ArrayList<>();
        for (JsonNode c : spec.path("containers")) {
            for (JsonNode p : c.path("ports")) {
                // podman 4.3's rule: a port given one side only is published on the same number on the other
                int containerPort = p.path("containerPort").asInt(0);
                int hostPort = p.path("hostPort").asInt(0);
                if (containerPort == 0 && hostPort == 0) {
                    continue;
                }
                String ip = p.path("hostIP").asText("");
                publish.add((ip.isEmpty() ? "" : ip + ":") + (hostPort == 0 ? containerPort : hostPort) + ":"
                        + (containerPort == 0 ? hostPort : containerPort)
                        + "/" + p.path("protocol").asText("TCP").toLowerCase(java.util.Locale.ROOT));
            }
        }
        Map<String, String> labels = strings(doc.metadata.path("labels"));
        Map<String, String> volumeSources = volumes(doc.name, spec.path("volumes")); // refusals before anything is created
        PodCreateReport pod = engine.pods().create(new PodCreateRequest(doc.name, publish,
                spec.path("shareProcessNamespace").asBoolean(false) ? "+pid" : null,
                spec.hasNonNull("hostname") ? spec.path("hostname").asText() : null, labels, true, List.of(), List.of(), List.of(),
                network, null, List.of("jpod", "kube", "play")).withExitPolicy("stop") // podman's for kube play
                .withServiceContainer(serviceId), null); // null: the pause image is never pulled
        try {
            fillPod(doc, pod, volumeSources, start);
        } catch (RuntimeException e) {
            try { // nothing half-made stays: the pod goes with whatever of it was created
                engine.pods().remove(pod.id(), new PodRemoveOptions(true, 0));
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void fillPod(PodDoc doc, PodCreateReport pod, Map<String, String> volumeSources, boolean start) {
        JsonNode spec = doc.spec;
        String restart = switch (spec.path("restartPolicy").asText("Always")) {
            case "Never" -> "no";
            case "OnFailure" -> "on-failure";
            default -> "always";
        };
        for (JsonNode c : spec.path("initContainers")) {
            String id = runContainer(pod, c, volumeSources, "no", true, false, annotationsOf(doc));
            int code = engine.containers().wait(id, new ContainerWaitOptions(ContainerWaitOptions.Condition.NOT_RUNNING, true));
            engine.containers().remove(id, new ContainerRemoveOptions(true, false, 0));
            if (code != 0) {
                throw new EngineException("init container " + c.path("name").asText() + " of pod " + doc.name + " exited with status " + code);
            }
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode c : spec.path("containers")) {
            ids.add(runContainer(pod, c, volumeSources, restart, false, true, annotationsOf(doc)));
        }
        if (start) {
            engine.pods().start(pod.id());
        }
        out.println("Pod:");
        out.println(pod.id());
        out.println("Containers:");
        ids.forEach(out::println);
        out.println();
    }

    /** Where each volume of the pod comes from, as the source of a -v flag. */
    private Map<String, String> volumes(String podName, JsonNode volumes) {
        Map<String, String> sources = new LinkedHashMap<>();
        for (JsonNode v : volumes) {
            String name = v.path("name").asText();
            unknownFields(v, VOLUME, "volume " + name + " of pod " + podName);
            if (v.has("hostPath")) {
                String path = v.path("hostPath").path("path").asText();
                String type = v.path("hostPath").path("type").asText("");
                Path p = Path.of(path);
                switch (type) {
                    case "" -> { }
                    case "Directory" -> require(Files.isDirectory(p), path, "a directory");
                    case "File" -> require(Files.isRegularFile(p), path, "a file");
                    case "Socket" -> require(Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p), path, "a socket");
                    case "DirectoryOrCreate" -> mkdirs(p);
                    case "FileOrCreate" -> {
                        if (!Files.exists(p)) {
                            mkdirs(p.getParent());
                            write(p, "", false);
                        }
                    }
                    default -> throw new EngineException("hostPath type " + type + " of volume " + name + " is not supported: use Directory, "
                            + "DirectoryOrCreate, File, FileOrCreate, Socket or leave it out");
                }
                sources.put(name, path);
            } else if (v.has("persistentVolumeClaim")) {
                String claim = v.path("persistentVolumeClaim").path("claimName").asText();
                if (!engine.volumes().exists(claim)) {
                    engine.volumes().create(io.jpod.engine.volume.VolumeCreateOptions.named(claim, Map.of()));
                }
                sources.put(name, claim);
            } else if (v.has("emptyDir")) {
                String vol = podName + "-" + name;
                if (!engine.volumes().exists(vol)) {
                    engine.volumes().create(io.jpod.engine.volume.VolumeCreateOptions.named(vol, Map.of("io.jpod.kube.emptydir", podName)));
                }
                sources.put(name, vol);
            } else if (v.has("configMap") || v.has("secret")) {
                boolean secret = v.has("secret");
                String ref = secret ? v.path("secret").path("secretName").asText() : v.path("configMap").path("name").asText();
                Map<String, String> data = (secret ? secrets : configMaps).get(ref);
                if (data == null) {
                    throw new EngineException((secret ? "Secret " : "ConfigMap ") + ref + " of volume " + name + " is not in the YAML: add it, or give it with --configmap");
                }
                Path dir = kubeDir(podName).resolve(name);
                mkdirs(dir);
                if (secret) {
                    try {
                        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                    } catch (IOException e) {
                        throw new EngineException("cannot protect " + dir + ": " + e.getMessage());
                    }
                }
                data.forEach((k, val) -> write(dir.resolve(k), val, secret));
                sources.put(name, dir.toString());
            } else {
                warn("volume " + name + " of pod " + podName + " has a source jpod does not support; it is left out");
            }
        }
        return sources;
    }

    private Path kubeDir(String podName) {
        return engine.dirs().storageRoot().resolve("kube").resolve(podName);
    }

    private static void require(boolean ok, String path, String what) {
        if (!ok) {
            throw new EngineException("hostPath " + path + " is not " + what + " (its volume's type says so): create it or fix the type");
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new EngineException("cannot create " + p + ": " + e.getMessage());
        }
    }

    private static void write(Path file, String content, boolean secret) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            if (secret) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new EngineException("cannot write " + file + ": " + e.getMessage());
        }
    }

    private void unknownFields(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                warn("field " + f + " in " + where + " is not supported by jpod; ignored");
            }
        }
    }

    /** Creates (and with {@code detach} runs) one container of the pod through `jpod run`'s own parsing; its id. */
    /** The annotations of the pod's containers: its metadata.annotations, then --annotation's (podman's). */
    private Map<String, String> annotationsOf(PodDoc doc) {
        Map<String, String> out = new LinkedHashMap<>(strings(doc.metadata.path("annotations")));
        out.putAll(annotations);
        return out;
    }

    private String runContainer(PodCreateReport pod, JsonNode c, Map<String, String> volumeSources, String restart, boolean detach,
                                boolean createOnly, Map<String, String> annotations) {
        String cname = c.path("name").asText();
        unknownFields(c, CONTAINER, "container " + cname + " of pod " + pod.name());
        List<String> argv = new ArrayList<>();
        argv.add("--pod");
        argv.add(pod.id());
        argv.add("--name");
        argv.add(pod.name() + "-" + cname);
        if (detach) {
            argv.add("-d");
        }
        if (!restart.equals("no")) {
            argv.add("--restart=" + restart);
        }
        annotations.forEach((k, v) -> argv.add("--annotation=" + k + "=" + v));
        argv.add("--pull=" + switch (c.path("imagePullPolicy").asText("IfNotPresent")) {
            case "Always" -> "always";
            case "Never" -> "never";
            default -> "missing";
        });
        argv.add("--tls-verify=" + tlsVerify);
        if (quiet) {
            argv.add("-q");
        }
        if (c.hasNonNull("workingDir")) {
            argv.add("--workdir=" + c.path("workingDir").asText());
        }
        for (JsonNode from : c.path("envFrom")) {
            boolean secret = from.has("secretRef");
            String ref = from.path(secret ? "secretRef" : "configMapRef").path("name").asText();
            Map<String, String> data = (secret ? secrets : configMaps).get(ref);
            if (data == null) {
                throw new EngineException((secret ? "Secret " : "ConfigMap ") + ref + " of container " + cname + " is not in the YAML: add it, or give it with --configmap");
            }
            String prefix = from.path("prefix").asText("");
            data.forEach((k, v) -> argv.add("--env=" + prefix + k + "=" + v));
        }
        for (JsonNode e : c.path("env")) {
            String name = e.path("name").asText();
            if (e.has("valueFrom")) {
                JsonNode vf = e.path("valueFrom");
                boolean secret = vf.has("secretKeyRef");
                JsonNode ref = vf.path(secret ? "secretKeyRef" : "configMapKeyRef");
                if (ref.isMissingNode()) {
                    warn("env " + name + " of container " + cname + ": only configMapKeyRef and secretKeyRef are supported; left out");
                    continue;
                }
                Map<String, String> data = (secret ? secrets : configMaps).get(ref.path("name").asText());
                String value = data == null ? null : data.get(ref.path("key").asText());
                if (value == null) {
                    if (ref.path("optional").asBoolean(false)) {
                        continue;
                    }
                    throw new EngineException("env " + name + " of container " + cname + ": key " + ref.path("key").asText() + " of "
                            + (secret ? "Secret " : "ConfigMap ") + ref.path("name").asText() + " is not in the YAML");
                }
                argv.add("--env=" + name + "=" + value);
            } else {
                argv.add("--env=" + name + "=" + e.path("value").asText(""));
            }
        }
        JsonNode limits = c.path("resources").path("limits");
        if (limits.has("memory")) {
            argv.add("--memory=" + memory(limits.path("memory").asText()));
        }
        if (limits.has("cpu")) {
            argv.add("--cpus=" + cpus(limits.path("cpu").asText()));
        }
        JsonNode sc = c.path("securityContext");
        // seLinuxOptions: no SELinux here (as :z is accepted and ignored); fsGroup: podman ignores it too
        unknownFields(sc, Set.of("runAsUser", "runAsGroup", "capabilities", "privileged", "readOnlyRootFilesystem",
                "allowPrivilegeEscalation", "seLinuxOptions", "fsGroup"), "securityContext of container " + cname);
        if (sc.has("allowPrivilegeEscalation") && !sc.path("allowPrivilegeEscalation").asBoolean(true)) {
            argv.add("--security-opt=no-new-privileges");
        }
        unknownFields(c.path("resources"), Set.of("limits", "requests"), "resources of container " + cname);
        unknownFields(limits, Set.of("memory", "cpu"), "resources.limits of container " + cname);
        for (JsonNode p : c.path("ports")) {
            unknownFields(p, Set.of("containerPort", "hostPort", "hostIP", "protocol", "name"), "a port of container " + cname);
        }
        for (JsonNode m : c.path("volumeMounts")) {
            unknownFields(m, Set.of("name", "mountPath", "readOnly", "subPath"), "a volumeMount of container " + cname);
        }
        if (sc.has("runAsUser")) {
            argv.add("--user=" + sc.path("runAsUser").asLong() + (sc.has("runAsGroup") ? ":" + sc.path("runAsGroup").asLong() : ""));
        }
        sc.path("capabilities").path("add").forEach(cap -> argv.add("--cap-add=" + cap.asText()));
        sc.path("capabilities").path("drop").forEach(cap -> argv.add("--cap-drop=" + cap.asText()));
        if (sc.path("privileged").asBoolean(false)) {
            argv.add("--privileged");
        }
        if (sc.path("readOnlyRootFilesystem").asBoolean(false)) {
            argv.add("--read-only");
        }
        for (JsonNode m : c.path("volumeMounts")) {
            String src = volumeSources.get(m.path("name").asText());
            if (src == null) {
                throw new EngineException("volumeMount " + m.path("name").asText() + " of container " + cname + " names no volume of the pod");
            }
            if (m.has("subPath")) {
                warn("subPath of volumeMount " + m.path("name").asText() + " in container " + cname + " is not supported; the whole volume is mounted");
            }
            argv.add("--volume=" + src + ":" + m.path("mountPath").asText() + (m.path("readOnly").asBoolean(false) ? ":ro" : ""));
        }
        if (c.has("command")) {
            List<String> cmd = new ArrayList<>();
            c.path("command").forEach(w -> cmd.add(w.asText()));
            argv.add("--entrypoint=" + Formats.compactJson(cmd));
        }
        argv.add(c.path("image").asText());
        c.path("args").forEach(w -> argv.add(w.asText()));

        RunCommand run = new RunCommand();
        CommandLine cl = new CommandLine(run);
        cl.setStopAtPositional(true);
        try {
            cl.parseArgs(argv.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new EngineException("container " + cname + " of pod " + pod.name() + ": " + e.getMessage());
        }
        RunRequest r = run.request();
        io.jpod.engine.container.ContainerRunReport report = createOnly ? engine.containers().create(r, pullProgress)
                : engine.containers().run(r, pullProgress);
        if (report.exitCode() != 0) {
            throw new EngineException("container " + cname + " of pod " + pod.name() + " could not be created (status " + report.exitCode() + ")");
        }
        return report.id();
    }

    /** A Kubernetes memory quantity (64Mi, 1G, 512000) as bytes. */
    static long memory(String q) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9.]+)([A-Za-z]*)").matcher(q.strip());
        if (!m.matches()) {
            throw new EngineException("memory limit \"" + q + "\" is not a Kubernetes quantity (e.g. 64Mi)");
        }
        double n = Double.parseDouble(m.group(1));
        long factor = switch (m.group(2)) {
            case "" -> 1L;
            case "k" -> 1000L;
            case "M" -> 1000_000L;
            case "G" -> 1000_000_000L;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            default -> throw new EngineException("memory limit \"" + q + "\": unknown unit " + m.group(2));
        };
        return (long) (n * factor);
    }

    /** A CPU quantity (500m, 0.5, 2) as --cpus. */
    static String cpus(String q) {
        String s = q.strip();
        if (s.endsWith("m")) {
            return Double.toString(Double.parseDouble(s.substring(0, s.length() - 1)) / 1000.0);
        }
        return Double.toString(Double.parseDouble(s));
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new EngineException("cannot remove " + dir + ": " + e.getMessage());
        }
    }

    /** `kube down`: removes the pods the YAML describes (their containers with them) and the files play wrote. */
    void down(String text, String source, boolean force) {
        List<String> removed = new ArrayList<>();
        List<String> volumes = new ArrayList<>();
        List<JsonNode> docs = new ArrayList<>(KubeYaml.readAll(text, source));
        // the pods first: a claim's volume can go only once no container uses it
        docs.sort(java.util.Comparator.comparing(d -> "PersistentVolumeClaim".equals(d.path("kind").asText())));
        for (JsonNode d : docs) {
            String kind = d.path("kind").asText();
            if (kind.equals("Pod") || kind.equals("Deployment")) {
                PodDoc doc = podDoc(d);
                if (engine.pods().exists(doc.name)) {
                    io.jpod.engine.pod.PodLookupReport pod = engine.pods().lookup(doc.name);
                    engine.pods().remove(pod.id(), new PodRemoveOptions(true, 10));
                    removed.add(pod.id());
                    for (JsonNode v : doc.spec.path("volumes")) {
                        if (v.has("emptyDir")) {
                            String vol = doc.name + "-" + v.path("name").asText();
                            if (engine.volumes().exists(vol)) {
                                engine.volumes().remove(vol, io.jpod.engine.volume.VolumeRemoveOptions.volumeOnly(true));
                            }
                        }
                    }
                }
                deleteTree(kubeDir(doc.name));
            } else if (kind.equals("PersistentVolumeClaim") && force) {
                String name = d.path("metadata").path("name").asText();
                if (engine.volumes().exists(name)) {
                    engine.volumes().remove(name, io.jpod.engine.volume.VolumeRemoveOptions.volumeOnly(true));
                    volumes.add(name);
                }
            }
        }
        out.println("Pods stopped:");
        removed.forEach(out::println);
        out.println("Pods removed:");
        removed.forEach(out::println);
        if (!volumes.isEmpty()) {
            out.println("Volumes removed:");
            volumes.forEach(out::println);
        }
    }
}
