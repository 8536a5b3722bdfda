package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.jpod.tests.support.Blob;
import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.OciImageBuilder;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TcpProxy;
import io.jpod.tests.support.TestImage;
import io.jpod.tests.support.TokenServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.Htpasswd;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.StoreSnapshot;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pulls against a real docker-registry: image formats, platform selection, compression, layer sharing, broken and
 * corrupting connections (through a loopback TCP proxy), authentication, and bad input that must leave no trace.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PullTest {

    private static final Duration PULL = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static TcpProxy proxy;
    private static String reg;

    @BeforeAll
    static void setUp() {
        proxy = TcpProxy.start(registry.port());
        reg = registry.hostPort();
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static Result jpod(String... args) {
        return env.run(PULL, args);
    }

    private static String hex(String id) {
        return id.substring("sha256:".length());
    }

    /** Pulls and checks that stdout is exactly the expected image id. */
    private static void pullExpecting(String expectedId, String... args) {
        Result r = jpod(Stream.concat(Stream.of("pull"), Stream.of(args)).toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(hex(expectedId), r.stdout().strip(), r::toString);
    }

    private static String runCat(String image, String path) {
        Result r = jpod("run", "--rm", image, "cat", path);
        assertEquals(0, r.exitCode(), r::toString);
        return r.stdout();
    }

    @Test
    void ociAndSchema2ImagesPullAndRun() {
        BuiltImage oci = TestImage.busybox().format(OciImageBuilder.Format.OCI).file("which", "oci\n", 0644).build();
        BuiltImage v2 = TestImage.busybox().format(OciImageBuilder.Format.DOCKER_V2).file("which", "schema2\n", 0644).build();
        registry.push(oci, "formats/oci", "1");
        registry.push(v2, "formats/v2", "1");

        pullExpecting(oci.imageId(), reg + "/formats/oci:1");
        pullExpecting(v2.imageId(), reg + "/formats/v2:1");
        assertEquals("oci\n", runCat(reg + "/formats/oci:1", "/which"));
        assertEquals("schema2\n", runCat(reg + "/formats/v2:1", "/which"));

        // the manifest digest is recorded: the same image by digest resolves without a second image
        pullExpecting(oci.imageId(), reg + "/formats/oci@" + oci.manifestDigest());
        Result images = jpod("images", "--no-trunc");
        assertEquals(0, images.exitCode(), images::toString);
        assertTrue(images.stdout().contains(reg + "/formats/oci"), images::toString);
        assertTrue(images.stdout().contains(reg + "/formats/v2"), images::toString);
    }

    @Test
    void indexChoosesTheHostPlatformAndArchChoosesAnother() {
        BuiltImage amd64 = TestImage.busybox().format(OciImageBuilder.Format.OCI).architecture("amd64")
                .file("arch", "amd64\n", 0644).build();
        BuiltImage arm64 = TestImage.busybox().format(OciImageBuilder.Format.OCI).architecture("arm64")
                .file("arch", "arm64\n", 0644).build();
        pushIndex("multi/arch", "1", Map.of("amd64", amd64, "arm64", arm64));
        String image = reg + "/multi/arch:1";

        pullExpecting(amd64.imageId(), image);
        pullExpecting(arm64.imageId(), "--arch", "arm64", image);
        pullExpecting(arm64.imageId(), "--platform", "linux/arm64", image);
        pullExpecting(amd64.imageId(), "--platform", "linux/amd64", image);

        // run takes the same flags (the "arm64" image carries the host's busybox, so it runs here)
        Result r = jpod("run", "--rm", "--pull=always", "--arch", "arm64", image, "cat", "/arch");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("arm64\n", r.stdout(), r::toString);

        Result both = jpod("pull", "--platform", "linux/arm64", "--arch", "arm64", image);
        assertEquals(125, both.exitCode(), both::toString);
        assertOneErrorLine(both, "--platform");
    }

    @Test
    void uncompressedLayersPullAndRun() {
        BuiltImage plain = TestImage.busybox().format(OciImageBuilder.Format.OCI).compression(OciImageBuilder.Compression.NONE)
                .file("plain", "uncompressed\n", 0644).build();
        assertEquals("application/vnd.oci.image.layer.v1.tar", plain.layers().get(0).mediaType());
        registry.push(plain, "compression/none", "1");
        pullExpecting(plain.imageId(), reg + "/compression/none:1");
        assertEquals("uncompressed\n", runCat(reg + "/compression/none:1", "/plain"));
    }

    @Test
    void zstdLayersPullAndRun() {
        BuiltImage z = TestImage.busybox().format(OciImageBuilder.Format.OCI).compression(OciImageBuilder.Compression.ZSTD)
                .file("z", "zstd\n", 0644).build();
        assertEquals("application/vnd.oci.image.layer.v1.tar+zstd", z.layers().get(1).mediaType());
        registry.push(z, "compression/zstd", "1");
        pullExpecting(z.imageId(), reg + "/compression/zstd:1");
        assertEquals("zstd\n", runCat(reg + "/compression/zstd:1", "/z"));
    }

    @Test
    void aSecondImageSharingTheBaseDownloadsOnlyItsNewLayer() {
        BuiltImage a = TestImage.busybox().file("a", "a\n", 0644).label("which", "a").build();
        BuiltImage b = TestImage.busybox().file("b", "b\n", 0644).label("which", "b").build();
        assertEquals(a.layers().get(0).digest(), b.layers().get(0).digest(), "the fixtures must share the base layer");
        registry.push(a, "shared/a", "1");
        registry.push(b, "shared/b", "1");

        pullExpecting(a.imageId(), proxy.hostPort() + "/shared/a:1");
        proxy.clear();
        pullExpecting(b.imageId(), proxy.hostPort() + "/shared/b:1");

        Set<String> blobs = proxy.requests().stream().map(TcpProxy.Request::path).filter(p -> p.contains("/blobs/"))
                .map(p -> p.substring(p.lastIndexOf('/') + 1)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of(b.layers().get(1).digest(), b.config().digest())), blobs,
                () -> "the second pull must fetch only its own layer and config; requests: " + proxy.describe());
        assertTrue(proxy.downstreamBytes() < a.layers().get(0).size(), () -> "bytes sent: " + proxy.downstreamBytes());
    }

    @Test
    void pullingAStoredManifestAgainFetchesNoBlobAndAddsTheName() {
        BuiltImage w = TestImage.busybox().file("w", "w\n", 0644).label("which", "warm").build();
        registry.push(w, "warm/one", "1");
        registry.push(w, "warm/two", "1");
        pullExpecting(w.imageId(), proxy.hostPort() + "/warm/one:1");
        proxy.clear();
        Result again = jpod("pull", proxy.hostPort() + "/warm/two:1");
        assertEquals(0, again.exitCode(), again::toString);
        assertEquals(hex(w.imageId()), again.stdout().strip(), again::toString);
        assertTrue(again.stderr().contains("skipped: already exists"), again::toString);
        assertTrue(proxy.requests().stream().noneMatch(r -> r.path().contains("/blobs/")),
                () -> "the manifest is stored with all its layers, so no blob is fetched; requests: " + proxy.describe());
        Result images = jpod("images", "--format", "json");
        assertTrue(images.stdout().contains("/warm/two:1"), images::toString);
        assertTrue(images.stdout().contains("/warm/one:1"), images::toString);
    }

    @Test
    void aConnectionCutInTheMiddleOfABlobIsResumed() {
        byte[] big = random(2 << 20, 1);
        BuiltImage img = TestImage.busybox().compression(OciImageBuilder.Compression.NONE).format(OciImageBuilder.Format.OCI)
                .layer(l -> l.file("big", big, 0644)).build();
        Blob layer = img.layers().get(1);
        registry.push(img, "faults/cut", "1");
        proxy.clear();
        proxy.arm(TcpProxy.Fault.CUT, layer.digest(), 1 << 20);
        try {
            pullExpecting(img.imageId(), proxy.hostPort() + "/faults/cut:1");
        } finally {
            proxy.disarm();
        }
        assertTrue(proxy.faultFired(), () -> "the proxy never cut the connection: " + proxy.describe());
        List<TcpProxy.Request> ranged = proxy.requests().stream()
                .filter(r -> r.path().contains(layer.digest()) && r.range() != null).toList();
        assertEquals(1, ranged.size(), () -> "expected one Range request for the cut blob: " + proxy.describe());
        assertTrue(ranged.get(0).range().matches("bytes=[1-9][0-9]*-"), ranged::toString);
        Result wc = jpod("run", "--rm", proxy.hostPort() + "/faults/cut:1", "wc", "-c", "/big");
        assertEquals(0, wc.exitCode(), wc::toString);
        assertTrue(wc.stdout().strip().startsWith(String.valueOf(big.length)), wc::toString);
    }

    @Test
    void aFlippedByteIsRefusedAndLeavesTheStoreAsItWas() throws IOException {
        byte[] data = random(1 << 20, 2);
        BuiltImage img = TestImage.busybox().layer(l -> l.file("data", data, 0644)).build();
        Blob layer = img.layers().get(1);
        registry.push(img, "faults/flip", "1");
        StoreSnapshot before = StoreSnapshot.of(env);

        proxy.arm(TcpProxy.Fault.FLIP, layer.digest(), 300_000);
        Result r;
        try {
            r = jpod("pull", proxy.hostPort() + "/faults/flip:1");
        } finally {
            proxy.disarm();
        }
        assertTrue(proxy.faultFired(), () -> "the proxy never flipped a byte: " + proxy.describe() + r);
        assertEquals(125, r.exitCode(), r::toString);
        assertOneErrorLine(r, layer.digest());
        assertEquals(before, StoreSnapshot.of(env), "the refused pull changed the store");
    }

    @Test
    void badInputIsOneErrorLineAndLeavesNoImage() throws IOException {
        BuiltImage good = TestImage.busybox().format(OciImageBuilder.Format.OCI).file("x", "x\n", 0644).build();
        registry.push(good, "bad/good", "1");
        BuiltImage arm = TestImage.busybox().format(OciImageBuilder.Format.OCI).architecture("s390x").build();
        pushIndex("bad/foreign", "1", Map.of("s390x", arm));
        StoreSnapshot before = StoreSnapshot.of(env);

        expectError(before, "not found", "pull", reg + "/bad/good:nope");
        expectError(before, "bad/nosuch", "pull", reg + "/bad/nosuch:1");
        expectError(before, "cannot reach registry", "pull", "127.0.0.1:" + freePort() + "/bad/x:1");
        expectError(before, "platform", "pull", reg + "/bad/foreign:1");

        try (FakeRegistry fake = new FakeRegistry()) {
            fake.manifest("bad/json", "1", "application/vnd.oci.image.manifest.v1+json", "{\"schemaVersion\": 2, \"layers\": [".getBytes());
            expectError(before, "bad/json", "pull", fake.hostPort() + "/bad/json:1");

            ObjectNode m = JSON.createObjectNode();
            m.put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
            m.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                    .put("digest", good.config().digest()).put("size", good.config().size());
            m.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
                    .put("digest", "sha512:" + "ab".repeat(64)).put("size", 10);
            fake.manifest("bad/sha512", "1", "application/vnd.oci.image.manifest.v1+json", json(m));
            expectError(before, "sha256", "pull", fake.hostPort() + "/bad/sha512:1");
        }

        try (LocalRegistry basic = LocalRegistry.sharing(registry, Htpasswd.registryConfig("alice", "s3cret"))) {
            expectError(before, "jpod login", "pull", basic.hostPort() + "/bad/good:1");
            expectError(before, "alice", "pull", "--creds", "alice:wrong", basic.hostPort() + "/bad/good:1");
        }
    }

    @Test
    void htpasswdBasicAuthWithCredentials() {
        BuiltImage img = TestImage.busybox().file("auth", "basic\n", 0644).build();
        registry.push(img, "auth/basic", "1");
        try (LocalRegistry basic = LocalRegistry.sharing(registry, Htpasswd.registryConfig("bob", "pa:ss word"))) {
            pullExpecting(img.imageId(), "--creds", "bob:pa:ss word", basic.hostPort() + "/auth/basic:1");
        }
    }

    @Test
    void tokenAuthWithCredentials() throws IOException {
        BuiltImage img = TestImage.busybox().file("auth", "token\n", 0644).build();
        registry.push(img, "auth/token", "1");
        StoreSnapshot before = StoreSnapshot.of(env);
        try (TokenServer tokens = TokenServer.start("carol", "t0ken-pw");
             LocalRegistry protectedRegistry = LocalRegistry.sharing(registry, tokens.registryConfig())) {
            String image = protectedRegistry.hostPort() + "/auth/token:1";
            expectError(before, "jpod login", "pull", image);
            pullExpecting(img.imageId(), "--creds", "carol:t0ken-pw", image);
            assertTrue(tokens.scopes().contains("repository:auth/token:pull"), () -> "scopes asked for: " + tokens.scopes());
        }
    }

    @Test
    void loginStoresCredentialsThatPullUsesAndLogoutRemovesThem() throws IOException {
        BuiltImage img = TestImage.busybox().file("auth", "login\n", 0644).build();
        registry.push(img, "auth/login", "1");
        Path authJson = env.runtimeDir().resolve("containers/auth.json");
        try (LocalRegistry basic = LocalRegistry.sharing(registry, Htpasswd.registryConfig("dave", "letmein"))) {
            String host = basic.hostPort();
            String image = host + "/auth/login:1";

            Result wrong = jpod("login", "-u", "dave", "-p", "nope", host);
            assertEquals(125, wrong.exitCode(), wrong::toString);
            assertOneErrorLine(wrong, "dave");
            assertFalse(Files.exists(authJson), "a failed login must not store anything");

            Result login = jpod("login", "--username", "dave", "--password", "letmein", host);
            assertEquals(0, login.exitCode(), login::toString);
            assertEquals("Login Succeeded!", login.stdout().strip(), login::toString);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(authJson)));
            assertTrue(JSON.readTree(authJson.toFile()).path("auths").has(host), () -> authJson + " lacks " + host);

            pullExpecting(img.imageId(), image);

            Result logout = jpod("logout", host);
            assertEquals(0, logout.exitCode(), logout::toString);
            assertFalse(JSON.readTree(authJson.toFile()).path("auths").has(host), "logout left the entry");
            Result denied = jpod("pull", image);
            assertEquals(125, denied.exitCode(), denied::toString);
            assertOneErrorLine(denied, "jpod login");
            Result again = jpod("logout", host);
            assertEquals(125, again.exitCode(), again::toString);
            assertOneErrorLine(again, "not logged into");

            // ~/.docker/config.json is read too, and --authfile names a file of its own
            String entry = "{\"auths\":{\"" + host + "\":{\"auth\":\"" + java.util.Base64.getEncoder()
                    .encodeToString("dave:letmein".getBytes(StandardCharsets.UTF_8)) + "\"}}}";
            Path docker = env.home().resolve(".docker/config.json");
            writeAsUser(docker, entry);
            pullExpecting(img.imageId(), image);
            Files.delete(docker);
            Path custom = env.home().resolve("my-auth.json");
            writeAsUser(custom, entry);
            Result noFile = jpod("pull", image);
            assertEquals(125, noFile.exitCode(), noFile::toString);
            pullExpecting(img.imageId(), "--authfile", custom.toString(), image);
        }
    }

    private static void writeAsUser(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        env.user().chown(file.getParent());
        Files.writeString(file, content);
        env.user().chown(file);
    }

    // ------------------------------------------------------------------ helpers


    private static void expectError(StoreSnapshot before, String mention, String... args) throws IOException {
        Result r = jpod(args);
        assertEquals(125, r.exitCode(), r::toString);
        assertOneErrorLine(r, mention);
        assertEquals(before, StoreSnapshot.of(env), () -> "a failed pull changed the store" + r);
    }

    private static void assertOneErrorLine(Result r, String mention) {
        List<String> lines = r.stderr().strip().lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("Error: ")).count(), () -> "expected exactly one error line" + r);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("Error: "), r::toString);
        assertTrue(last.contains(mention), () -> "the error must mention '" + mention + "'" + r);
        assertFalse(last.contains("internal error"), r::toString);
    }




    private static void pushIndex(String repository, String tag, Map<String, BuiltImage> byArch) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Map.Entry<String, BuiltImage> e : new java.util.TreeMap<>(byArch).entrySet()) {
            BuiltImage img = e.getValue();
            for (Blob blob : img.blobs()) {
                registry.client().pushBlob(repository, blob);
            }
            registry.client().pushManifest(repository, img.manifestDigest(), img.manifest());
            ObjectNode d = manifests.addObject();
            d.put("mediaType", img.manifest().mediaType()).put("digest", img.manifestDigest()).put("size", img.manifest().size());
            d.putObject("platform").put("architecture", e.getKey()).put("os", "linux");
        }
        registry.client().pushManifest(repository, tag, Blob.of(OCI_INDEX, json(index)));
    }

    private static byte[] json(Object node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A registry that serves fixed manifests (what a real registry would refuse to store) and 404 for the rest. */
    private static final class FakeRegistry implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
        private final Map<String, String> types = new ConcurrentHashMap<>();

        FakeRegistry() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", ex -> {
                String path = ex.getRequestURI().getPath();
                byte[] body = path.equals("/v2/") ? "{}".getBytes(StandardCharsets.UTF_8) : bodies.get(path);
                int status = body == null ? 404 : 200;
                if (body == null) {
                    body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}".getBytes(StandardCharsets.UTF_8);
                }
                ex.getResponseHeaders().add("Content-Type", types.getOrDefault(path, "application/json"));
                ex.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
                ex.sendResponseHeaders(status, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        void manifest(String repository, String tag, String mediaType, byte[] body) {
            String path = "/v2/" + repository + "/manifests/" + tag;
            bodies.put(path, body);
            types.put(path, mediaType);
        }

        String hostPort() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
