package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.tests.support.Await;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.KubeSchema;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13: `kube play` of a Deployment + ConfigMap + PVC with an initContainer (env from the ConfigMap, a port
 * answered from the host, data surviving `kube down` + `kube play`), play from stdin and its refusals, and
 * `kube generate` (every document validated against the Kubernetes model) round-tripping through `kube play`.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KubeTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static String image;

    @BeforeAll
    static void setUp() {
        registry.push(TestImage.busybox().layer(l -> l.dir("www", 0755).file("www/index.html", "index\n".getBytes(StandardCharsets.UTF_8), 0644))
                .build(), "library/kubebox", "latest");
        image = registry.hostPort() + "/library/kubebox:latest";
        Result pull = env.run(NORMAL, "pull", "-q", image);
        assertEquals(0, pull.exitCode(), pull::toString);
    }

    private static String appYaml(int port) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: app-config
                data:
                  GREETING: hello from the configmap
                  page.html: served from a configmap volume
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: app-data
                spec:
                  accessModes: [ReadWriteOnce]
                  resources:
                    requests:
                      storage: 1Gi
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                  labels:
                    app: app
                spec:
                  replicas: 1
                  selector:
                    matchLabels:
                      app: app
                  template:
                    metadata:
                      labels:
                        app: app
                    spec:
                      initContainers:
                        - name: init
                          image: IMAGE
                          command: [sh, -c, "test -f /data/first || cat /proc/sys/kernel/random/uuid > /data/first; echo $GREETING > /data/greeting"]
                          env:
                            - name: GREETING
                              valueFrom:
                                configMapKeyRef:
                                  name: app-config
                                  key: GREETING
                          volumeMounts:
                            - name: data
                              mountPath: /data
                      containers:
                        - name: web
                          image: IMAGE
                          command: [sh, -c, "cp /data/first /data/greeting /conf/page.html /www/ && echo $GREETING > /www/env.txt && exec httpd -f -p 8080 -h /www"]
                          envFrom:
                            - configMapRef:
                                name: app-config
                          ports:
                            - containerPort: 8080
                              hostPort: PORT
                              hostIP: 127.0.0.1
                          volumeMounts:
                            - name: data
                              mountPath: /data
                            - name: conf
                              mountPath: /conf
                              readOnly: true
                          livenessProbe:
                            httpGet:
                              path: /
                              port: 8080
                      volumes:
                        - name: data
                          persistentVolumeClaim:
                            claimName: app-data
                        - name: conf
                          configMap:
                            name: app-config
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: app
                spec:
                  ports: [{port: 8080}]
                """.replace("IMAGE", image).replace("PORT", Integer.toString(port));
    }

    @Test
    void deploymentWithConfigMapPvcAndInitContainerSurvivesDownAndPlay() throws Exception {
        int port = freePort();
        Path file = write("app.yaml", appYaml(port));

        Result play = env.run(NORMAL, "kube", "play", file.toString());
        assertEquals(0, play.exitCode(), play::toString);
        assertTrue(play.stdout().startsWith("Pod:\n"), play::toString);
        assertTrue(play.stdout().contains("Volumes:\napp-data"), play::toString);
        // what jpod cannot honour is named, one line each
        assertEquals(List.of("jpod: warning: kind Service of \"app\" is not supported by jpod; skipped",
                "jpod: warning: field livenessProbe in container web of pod app-pod is not supported by jpod; ignored"),
                play.stderr().lines().toList());

        assertEquals("hello from the configmap", httpGet(port, "/greeting")); // the init container ran first, env from configMapKeyRef
        assertEquals("hello from the configmap", httpGet(port, "/env.txt")); // envFrom
        assertEquals("served from a configmap volume", httpGet(port, "/page.html")); // configMap volume
        String first = httpGet(port, "/first");
        assertTrue(first.matches("[0-9a-f-]{36}"), first);
        assertEquals("Running", env.ok("pod", "ps", "--filter", "name=app-pod", "--format", "{{.Status}}").stdout().strip());

        Result down = env.run(NORMAL, "kube", "down", file.toString());
        assertEquals(0, down.exitCode(), down::toString);
        assertTrue(down.stdout().startsWith("Pods stopped:\n"), down::toString);
        assertEquals(1, env.run(NORMAL, "pod", "exists", "app-pod").exitCode());
        assertEquals("", env.ok("ps", "-a", "-q", "--filter", "name=app-pod").stdout().strip());
        assertEquals(0, env.run(NORMAL, "volume", "exists", "app-data").exitCode(), "the claim's volume outlives kube down");

        Result again = env.run(NORMAL, "kube", "play", file.toString());
        assertEquals(0, again.exitCode(), again::toString);
        assertEquals(first, httpGet(port, "/first"), "the data in the claim's volume survived kube down + kube play");
        env.ok("kube", "down", "--force", file.toString());
        assertEquals(1, env.run(NORMAL, "volume", "exists", "app-data").exitCode());
    }

    @Test
    void playFromStdinStartFalseReplaceAndRefusals() throws Exception {
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: quiet
                spec:
                  containers:
                    - name: sleeper
                      image: IMAGE
                      command: [sleep, "600"]
                """.replace("IMAGE", image);
        Path podFile = write("quiet.yaml", pod);
        Result created = env.runWithInput(podFile, Map.of(), NORMAL, "play", "kube", "--start=false", "-");
        assertEquals(0, created.exitCode(), created::toString);
        assertEquals("Created", env.ok("pod", "ps", "--filter", "name=quiet", "--format", "{{.Status}}").stdout().strip());
        assertEquals("created", env.inspect("quiet-sleeper").path("State").path("Status").asText());

        Result twice = env.runWithInput(podFile, Map.of(), NORMAL, "kube", "play", "-");
        assertEquals(125, twice.exitCode(), twice::toString);
        assertEquals("Error: adding pod to state: name \"quiet\" is in use: pod already exists", twice.stderr().strip());
        Result replaced = env.runWithInput(podFile, Map.of(), NORMAL, "kube", "play", "--replace", "-");
        assertEquals(0, replaced.exitCode(), replaced::toString);
        assertEquals("Running", env.ok("pod", "ps", "--filter", "name=quiet", "--format", "{{.Status}}").stdout().strip());
        env.ok("kube", "down", podFile.toString());

        Path replicas = write("replicas.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: many
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: many}}
                  template:
                    metadata: {labels: {app: many}}
                    spec:
                      containers: [{name: c, image: IMAGE}]
                """.replace("IMAGE", image));
        Result r = env.run(NORMAL, "kube", "play", replicas.toString());
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("Error: Deployment many asks for 3 replicas; jpod runs exactly one: set replicas to 1", r.stderr().strip());

        Path hostPath = write("hostpath.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: hp}
                spec:
                  containers: [{name: c, image: IMAGE, volumeMounts: [{name: v, mountPath: /v}]}]
                  volumes: [{name: v, hostPath: {path: /nonexistent/dir, type: Directory}}]
                """.replace("IMAGE", image));
        Result h = env.run(NORMAL, "kube", "play", hostPath.toString());
        assertEquals(125, h.exitCode(), h::toString);
        assertEquals("Error: hostPath /nonexistent/dir is not a directory (its volume's type says so): create it or fix the type", h.stderr().strip());
        assertEquals(1, env.run(NORMAL, "pod", "exists", "hp").exitCode(), "a refused play leaves no pod behind");
    }

    @Test
    void generateWritesValidKubernetesYamlThatPlaysAgainToTheSameContainers() throws Exception {
        int port = freePort();
        Path site = env.home().resolve("site");
        Files.createDirectories(site);
        Files.setPosixFilePermissions(site, PosixFilePermissions.fromString("rwxr-xr-x"));
        env.ok("pod", "create", "--name", "gen", "--label", "tier=front", "-p", "127.0.0.1:" + port + ":80");
        env.ok("volume", "create", "gendata");
        env.ok("run", "-d", "--pod", "gen", "--name", "gen-web", "-e", "FOO=bar", "-w", "/www", "-v", "gendata:/data",
                "-v", site + ":/site:ro", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", "--read-only", "--user", "0:0",
                image, "httpd", "-f", "-p", "80", "-h", "/www");

        String yaml = env.ok("kube", "generate", "gen").stdout();
        List<JsonNode> docs = KubeSchema.validate(yaml);
        assertEquals(1, docs.size());
        JsonNode pod = docs.get(0);
        assertEquals("Pod", pod.path("kind").asText());
        assertEquals("front", pod.path("metadata").path("labels").path("tier").asText());
        JsonNode c = pod.path("spec").path("containers").get(0);
        assertEquals("web", c.path("name").asText());
        assertEquals(image, c.path("image").asText());
        assertEquals("[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"]", c.path("command").toString());
        assertEquals("[{\"name\":\"FOO\",\"value\":\"bar\"}]", c.path("env").toString());
        assertEquals("/www", c.path("workingDir").asText());
        assertEquals(port, c.path("ports").get(0).path("hostPort").asInt());
        assertEquals(80, c.path("ports").get(0).path("containerPort").asInt());
        assertEquals("[\"NET_ADMIN\"]", c.path("securityContext").path("capabilities").path("add").toString());
        assertEquals("[\"CHOWN\"]", c.path("securityContext").path("capabilities").path("drop").toString());
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertEquals(0, c.path("securityContext").path("runAsUser").asInt(-1));
        JsonNode volumes = pod.path("spec").path("volumes");
        assertEquals("gendata", volumes.get(0).path("persistentVolumeClaim").path("claimName").asText());
        assertEquals(site.toString(), volumes.get(1).path("hostPath").path("path").asText());
        assertEquals("Directory", volumes.get(1).path("hostPath").path("type").asText());

        List<JsonNode> deployment = KubeSchema.validate(env.ok("kube", "generate", "--type", "deployment", "--service", "gen").stdout());
        assertEquals(List.of("Service", "Deployment"), deployment.stream().map(d -> d.path("kind").asText()).toList()); // podman's order
        assertEquals(80, deployment.get(0).path("spec").path("ports").get(0).path("port").asInt());
        assertEquals("gen", deployment.get(0).path("spec").path("selector").path("app").asText());
        KubeSchema.validate(env.ok("generate", "kube", "gen-web").stdout()); // a container alone, podman's older spelling

        // round trip: play what generate wrote, generate again, the containers are the same
        Path file = write("gen.yaml", yaml);
        env.ok("pod", "rm", "-f", "-t", "0", "gen");
        Result play = env.run(NORMAL, "kube", "play", file.toString());
        assertEquals(0, play.exitCode(), play::toString);
        assertEquals("", play.stderr(), play::toString);
        assertEquals("index", httpGet(port, "/"));
        JsonNode again = KubeSchema.validate(env.ok("kube", "generate", "gen").stdout()).get(0);
        assertEquals(withoutTimestamps(pod), withoutTimestamps(again));
        env.ok("kube", "down", file.toString());
    }

    private static JsonNode withoutTimestamps(JsonNode doc) {
        JsonNode copy = doc.deepCopy();
        ((ObjectNode) copy.path("metadata")).remove("creationTimestamp");
        return copy;
    }

    /**
     * 700-play's podman rules: --build with --context-dir, the 63-character annotation limit (option and YAML), a
     * containerPort alone published on the same host port, securityContext fields podman takes without a word, the
     * pod's exit policy stop, and podman's message when the container is gone.
     */
    @Test
    void playAnnotatesEveryContainerFromTheYamlAndTheOption() throws Exception {
        Path file = write("annotated.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: annot
                  annotations:
                    team: jpod
                spec:
                  containers:
                  - name: c
                    image: IMAGE
                    command: [sleep, "100"]
                """.replace("IMAGE", image));
        env.ok("kube", "play", "--annotation", "name=abc123", file.toString());
        try {
            String annotations = env.ok("inspect", "--format", "{{ .Config.Annotations }}", "annot-c").stdout().strip();
            assertTrue(annotations.matches("map\\[.*\\]") && annotations.contains("name:abc123") && annotations.contains("team:jpod"),
                    annotations);
        } finally {
            env.ok("kube", "down", file.toString());
        }
    }

    @Test
    void playFollowsPodmansRules() throws Exception {
        int port = freePort();
        Path ctx = env.home().resolve("kubectx");
        Files.createDirectories(ctx.resolve("userimage"));
        Files.writeString(ctx.resolve("userimage/Containerfile"), "FROM " + image + "\nUSER 1234\n");
        for (Path p : new Path[]{ctx, ctx.resolve("userimage")}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(ctx.resolve("userimage/Containerfile"), PosixFilePermissions.fromString("rw-r--r--"));
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: rules
                  ANNOTATIONS
                spec:
                  containers:
                  - name: c
                    image: localhost/jpod/userimage
                    command: [sleep, "100"]
                    securityContext:
                      allowPrivilegeEscalation: false
                      fsGroup: 2000
                      seLinuxOptions:
                        level: "s0:c1,c2"
                    ports:
                    - name: p
                      containerPort: PORT
                """.replace("PORT", Integer.toString(port));
        String long64 = "x".repeat(64);
        Path plain = write("rules.yaml", pod.replace("ANNOTATIONS", ""));
        Path annotated = write("rules-annotated.yaml", pod.replace("ANNOTATIONS", "annotations:\n    test: " + long64));

        Result option = env.run(NORMAL, "kube", "play", "--annotation", "name=" + long64, plain.toString());
        assertEquals(125, option.exitCode(), option::toString);
        assertEquals("Error: annotation exceeds maximum size, 63, of kubernetes annotation: " + long64 + "\n", option.stderr());
        Result yaml = env.run(NORMAL, "kube", "play", annotated.toString());
        assertEquals(125, yaml.exitCode(), yaml::toString);
        assertTrue(yaml.stderr().startsWith("Error: invalid annotation \"test\"=\"" + long64 + "\""), yaml::toString);
        assertEquals(1, env.run(NORMAL, "pod", "exists", "rules").exitCode());

        Result played = env.run(NORMAL, "kube", "play", "--build", "--context-dir", ctx.toString(), plain.toString());
        assertEquals(0, played.exitCode(), played::toString);
        assertFalse(played.stderr().contains("warning"), played::toString);
        try {
            assertEquals("1234", env.ok("inspect", "--format", "{{.Config.User}}", "rules-c").stdout().strip());
            JsonNode inspect = new com.fasterxml.jackson.databind.ObjectMapper().readTree(env.ok("pod", "inspect", "rules").stdout());
            assertEquals(Integer.toString(port), inspect.path("InfraConfig").path("PortBindings").path(port + "/tcp").get(0).path("HostPort").asText(),
                    inspect::toString);
            assertEquals("stop", inspect.path("ExitPolicy").asText(), inspect::toString);
        } finally {
            env.ok("kube", "down", plain.toString());
        }
        Result gone = env.run(NORMAL, "inspect", "rules-c");
        assertEquals(125, gone.exitCode(), gone::toString);
        assertEquals("Error: inspecting object: no such object: \"rules-c\"\n", gone.stderr());
    }

    /** 700-play "kube --network": a host-network pod's containers run in the host's network namespace (no setns). */
    @Test
    void hostNetworkPodRuns() throws Exception {
        Path f = write("hostnet.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: hostnet
                spec:
                  containers:
                  - name: c
                    image: IMAGE
                    command: [sleep, "100"]
                """.replace("IMAGE", image));
        Result played = env.run(NORMAL, "kube", "play", "--network", "host", f.toString());
        assertEquals(0, played.exitCode(), played::toString);
        assertTrue(played.stdout().startsWith("Pod:"), played::toString);
        try {
            assertEquals("true", env.ok("pod", "inspect", "--format", "{{.InfraConfig.HostNetwork}}", "hostnet").stdout().strip());
            assertEquals("true", env.ok("inspect", "--format", "{{.State.Running}}", "hostnet-c").stdout().strip());
        } finally {
            env.ok("kube", "down", f.toString());
        }
    }

    /** 710-kube "usage message": podman's synopsis, and the older spelling named as typed. */
    @Test
    void generateUsageIsPodmans() {
        assertTrue(env.ok("kube", "generate", "--help").stdout().contains(" kube generate [options] {CONTAINER...|POD...|VOLUME...}"));
        assertTrue(env.ok("generate", "kube", "--help").stdout().contains(" generate kube [options] {CONTAINER...|POD...|VOLUME...}"));
        env.ok("volume", "create", "genvol");
        try {
            List<JsonNode> docs = KubeSchema.validate(env.ok("kube", "generate", "genvol").stdout());
            assertEquals("PersistentVolumeClaim", docs.get(0).path("kind").asText(), docs::toString);
            assertEquals("genvol", docs.get(0).path("metadata").path("name").asText(), docs::toString);
            assertEquals("local", docs.get(0).path("metadata").path("annotations").path("volume.podman.io/driver").asText(), docs::toString);
        } finally {
            env.ok("volume", "rm", "genvol");
        }
    }

    private static Path write(String name, String content) throws IOException {
        Path f = env.home().resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        return f;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** GET path on 127.0.0.1:port until it answers 200 (bounded): the body, stripped. */
    private static String httpGet(int port, String path) {
        String[] body = new String[1];
        Await.await("127.0.0.1:" + port + path + " to answer", Duration.ofSeconds(60), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String resp = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int i = resp.indexOf("\r\n\r\n");
                if (!resp.startsWith("HTTP/1.") || !resp.contains(" 200 ") || i < 0) {
                    return false;
                }
                body[0] = resp.substring(i + 4).strip();
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return body[0];
    }
}
