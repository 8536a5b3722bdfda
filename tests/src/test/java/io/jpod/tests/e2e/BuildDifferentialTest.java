package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.PodmanEnv;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same Containerfile built by jpod and by podman's builder (buildah, vendored in podman; rootless, as the same
 * user, FROM the same registry image) gives the same files (path, type, mode, owner, size, link target, listed by
 * busybox find+stat inside a container of each) and the same config (Env, Entrypoint, Cmd, WorkingDir, User, Labels,
 * ExposedPorts, Volumes, StopSignal). No heredoc here: podman 4.3's buildah (1.28) does not know them. Documented differences: buildah's own io.buildah.version label; per-container
 * files (/etc/hosts, /etc/resolv.conf, /etc/hostname, /etc/mtab) and directory sizes are not part of the image.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BuildDifferentialTest {
    private static final Duration T = Duration.ofSeconds(240);
    private static final Set<String> RUNTIME_FILES = Set.of("/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/etc/mtab");
    private static final List<String> LISTING = List.of("find", "/", "(", "-path", "/proc", "-o", "-path", "/sys", "-o",
            "-path", "/dev", "-o", "-path", "/run", ")", "-prune", "-o", "-exec", "stat", "-c", "%n|%F|%a|%u|%g|%s|%N", "{}", "+");
    private static final List<String> CONFIG_FIELDS = List.of("Env", "Entrypoint", "Cmd", "WorkingDir", "User", "Labels",
            "ExposedPorts", "Volumes", "StopSignal");

    private static JpodEnv jpod;
    private static PodmanEnv podman;
    private static LocalRegistry registry;
    private static Path context;
    private static final List<Path> cleanup = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException, InterruptedException {
        assumeTrue(PodmanEnv.available(), "podman is not installed: the build differential test needs its builder as the reference");
        TestUser user = TestUser.get();
        jpod = JpodEnv.create(user);
        podman = PodmanEnv.create(user);
        registry = LocalRegistry.start();
        registry.push(TestImage.busybox().build(), "build/diffbase", "latest");
        String base = registry.hostPort() + "/build/diffbase:latest";
        jpod.ok("pull", "-q", base);
        Result pull = podman.run(T, "pull", "-q", "--tls-verify=false", base);
        assertEquals(0, pull.exitCode(), pull::toString);

        context = Files.createTempDirectory(Path.of(System.getProperty("jpod.test.tmp", "/tmp")), "build-diff-");
        cleanup.add(context);
        Files.writeString(context.resolve("Containerfile"), """
                ARG BASE
                FROM $BASE AS tools
                RUN mkdir -p /out/bin && echo tool > /out/bin/tool && chmod 750 /out/bin/tool && ln -s tool /out/bin/link
                FROM $BASE
                ARG VERSION=1.0
                ENV APP_HOME=/srv/app PATH=/srv/app/bin:$PATH
                LABEL org.example.version=$VERSION org.example.name="diff test"
                COPY --from=tools /out/bin/ $APP_HOME/bin/
                COPY --chown=app:app src $APP_HOME/src/
                COPY --chmod=600 secret.conf /etc/app/
                COPY *.txt /texts/
                ADD files.tar.gz /unpacked/
                WORKDIR $APP_HOME
                RUN mkdir -p data/cache && echo "built $VERSION" > data/version \\
                    && chown -R 1000:1000 data && rm -f /texts/b.txt
                USER app
                EXPOSE 8080 53/udp
                VOLUME /srv/app/data
                STOPSIGNAL SIGQUIT
                ENTRYPOINT ["/bin/sh", "-c"]
                CMD ["cat data/version"]
                """);
        write("src/main.sh", "echo main\n");
        write("src/lib/util.sh", "echo util\n");
        write("secret.conf", "key=value\n");
        write("a.txt", "a\n");
        write("b.txt", "bb\n");
        write("skip/big.bin", "never copied\n");
        write(".dockerignore", "skip\n*.md\n");
        write("notes.md", "ignored\n");
        Path tree = Files.createTempDirectory(Path.of(System.getProperty("jpod.test.tmp", "/tmp")), "build-diff-tar-");
        cleanup.add(tree);
        Files.createDirectories(tree.resolve("pkg/sub"));
        Files.writeString(tree.resolve("pkg/sub/file"), "in the archive\n");
        Process tar = new ProcessBuilder("tar", "--owner=0", "--group=0", "-C", tree.toString(), "-czf",
                context.resolve("files.tar.gz").toString(), "pkg").inheritIO().start();
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0, "tar failed");
        context.resolve("files.tar.gz").toFile().setReadable(true, false);
        context.toFile().setReadable(true, false);
        context.toFile().setExecutable(true, false);
    }

    private static void write(String rel, String content) throws IOException {
        Path f = context.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        for (Path d = f.getParent(); !d.equals(context.getParent()); d = d.getParent()) {
            d.toFile().setReadable(true, false);
            d.toFile().setExecutable(true, false);
        }
    }

    @AfterAll
    static void tearDown() throws IOException {
        try {
            if (podman != null) {
                podman.close();
            }
            if (jpod != null) {
                jpod.close();
            }
            if (registry != null) {
                registry.close();
            }
        } finally {
            for (Path p : cleanup) {
                try (var s = Files.walk(p)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
                }
            }
        }
    }

    private static String[] listing(String... head) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(LISTING);
        return all.toArray(String[]::new);
    }

    private static TreeMap<String, String> files(Result r) {
        assertEquals(0, r.exitCode(), r::toString);
        TreeMap<String, String> m = RootfsDifferentialTest.parse(r.stdout());
        RUNTIME_FILES.forEach(m::remove);
        return m;
    }

    private static ObjectNode config(JsonNode inspect) {
        ObjectNode c = ((ObjectNode) inspect.path("Config")).deepCopy();
        ObjectNode out = c.objectNode();
        for (String f : CONFIG_FIELDS) {
            JsonNode v = c.path(f);
            if (f.equals("Labels") && v.isObject()) {
                v = ((ObjectNode) v).deepCopy().without("io.buildah.version"); // buildah stamps its version
            }
            if (!v.isMissingNode() && !v.isNull() && !(v.isContainerNode() && v.isEmpty()) && !(v.isTextual() && v.asText().isEmpty())) {
                out.set(f, v);
            }
        }
        return out;
    }

    @Test
    void sameFilesAndConfigAsPodmansBuilder() {
        String base = registry.hostPort() + "/build/diffbase:latest";
        Result p = podman.run(T, "build", "--tls-verify=false", "--build-arg", "BASE=" + base, "-t", "diff", context.toString());
        assertEquals(0, p.exitCode(), p::toString);
        Result j = jpod.run(T, "build", "--build-arg", "BASE=" + base, "-t", "diff", context.toString());
        assertEquals(0, j.exitCode(), j::toString);

        TreeMap<String, String> reference = files(podman.run(T, listing("run", "--rm", "--network", "none", "--user", "0",
                "--entrypoint", "", "localhost/diff")));
        TreeMap<String, String> mine = files(jpod.run(T, listing("run", "--rm", "--network", "none", "--user", "0",
                "--entrypoint", "", "localhost/diff")));
        assertTrue(reference.containsKey("/srv/app/src/lib/util.sh") && reference.containsKey("/unpacked/pkg/sub/file"),
                () -> "implausible reference listing " + reference);
        List<String> differences = new ArrayList<>();
        for (String path : new java.util.TreeSet<>(java.util.stream.Stream.concat(reference.keySet().stream(), mine.keySet().stream()).toList())) {
            if (!java.util.Objects.equals(reference.get(path), mine.get(path))) {
                differences.add(path + ": podman " + reference.get(path) + " | jpod " + mine.get(path));
            }
        }
        assertEquals(List.of(), differences);

        JsonNode podmanImage = podman.run(T, "image", "inspect", "localhost/diff").json().get(0);
        JsonNode jpodImage = jpod.ok("image", "inspect", "localhost/diff").json().get(0);
        assertEquals(config(podmanImage), config(jpodImage));
        assertEquals("built 1.0", jpod.ok("run", "--rm", "localhost/diff").stdout().strip());
    }
}
