package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.storage.ImageRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Pull against a real registry on loopback, e.g. Debian's docker-registry (see src/test/scripts/push-test-image.sh).
 * Skipped unless JPOD_TEST_REGISTRY=127.0.0.1:PORT is set. JPOD_TEST_IMAGE (default jpod/busybox:1.0) must have been pushed
 * with that script; JPOD_TEST_REGISTRY_ROOT (the registry's filesystem rootdirectory) enables the corrupt-blob test.
 * The store is {@link ScratchTarget}, so this checks the image module alone.
 */
@EnabledIfEnvironmentVariable(named = "JPOD_TEST_REGISTRY", matches = ".+")
class LocalRegistryPullTest {
    private final String registry = System.getenv("JPOD_TEST_REGISTRY");
    private final String image = System.getenv().getOrDefault("JPOD_TEST_IMAGE", "jpod/busybox:1.0");

    private ImageReference ref(String suffix) {
        return ImageReference.parse(registry + "/" + image + suffix);
    }

    private static PullOptions options(ByteArrayOutputStream out, String platform, boolean quiet) {
        PrintStream events = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new PullOptions(true, platform, quiet, e -> {
            synchronized (events) {
                events.println(e); // the records' own text: one event a line
            }
        });
    }

    @Test
    void manifestByTagAndByDigest() {
        ImageReference r = ref("");
        try (RegistryClient c = new RegistryClient(r, true, (Credentials) null)) {
            FetchedManifest byTag = c.manifest(r.tag());
            assertEquals(byTag.headerDigest(), byTag.digest());
            assertTrue(byTag.contentType().startsWith(MediaTypes.OCI_MANIFEST), byTag.contentType());
            ImageManifest m = assertInstanceOf(ImageManifest.class, ManifestParser.parse(byTag.content(), byTag.contentType(), r.name()));
            assertEquals(2, m.layers().size());
            FetchedManifest byDigest = c.manifest(byTag.digest());
            assertArrayEquals(byTag.content(), byDigest.content());
            assertTrue(c.usingPlainHttp());

            String other = "sha256:" + "0".repeat(64);
            ImageException nf = assertThrows(ImageException.class, () -> c.manifest(other));
            assertEquals("image \"" + r.repositoryName() + "@" + other + "\" not found in registry " + registry + ": manifest unknown",
                    nf.getMessage());
            ImageException tag = assertThrows(ImageException.class, () -> c.manifest("no-such-tag"));
            assertEquals("image \"" + r.repositoryName() + ":no-such-tag\" not found in registry " + registry + ": manifest unknown",
                    tag.getMessage());

            byte[] config = c.blob(m.config().digest(), m.config().size(), ManifestParser.MAX_DOCUMENT_BYTES);
            assertEquals(m.config().digest(), Digests.sha256(config));
        }
        ImageException noRepo = assertThrows(ImageException.class,
                () -> new ImagePuller(new ScratchTarget(), options(new ByteArrayOutputStream(), null, false), null)
                        .pull(ImageReference.parse(registry + "/no/such/repo:1")));
        assertEquals("image \"" + registry + "/no/such/repo:1\" not found in registry " + registry + ": manifest unknown", noRepo.getMessage());
    }

    @Test
    void pullsTwiceSecondTimeNothingIsDownloaded() {
        ScratchTarget target = new ScratchTarget();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageReference r = ref("");
        ImageRecord rec = new ImagePuller(target, options(out, "linux/amd64", false), null).pull(r);
        String log = out.toString(StandardCharsets.UTF_8);
        System.out.print(log);
        assertEquals(2, rec.layers().size());
        assertEquals(List.of(r.repositoryName() + ":" + r.tag()), rec.names());
        assertTrue(rec.digests().get(0).startsWith(r.repositoryName() + "@sha256:"));
        assertEquals(2, target.committed.size());
        assertEquals(0, target.openStaged.get());
        assertTrue(target.entriesByChainId.get(rec.layers().get(0)).contains("./bin/busybox"), target.entriesByChainId.toString());
        assertTrue(log.startsWith("Trying[image=" + r.name() + "]\nCopyStarted[]\n"), log);
        assertTrue(log.contains("BlobCopied[digest=sha256:"), log);
        assertTrue(log.strip().endsWith("WritingManifest[]"), log);

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        ImageRecord rec2 = new ImagePuller(target, options(again, "linux/amd64", false), null).pull(r);
        assertEquals(rec.id(), rec2.id());
        assertEquals(2, target.staged.get(), "nothing staged the second time");
        String log2 = again.toString(StandardCharsets.UTF_8);
        assertEquals(2, log2.split("BlobSkipped", -1).length - 1, log2);

        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        ImageRecord rec3 = new ImagePuller(target, options(quiet, null, true), null).pull(r);
        assertEquals("", quiet.toString(StandardCharsets.UTF_8), "quiet: no events");
        assertEquals(1, target.puts.get(), "a warm pull of a name the image already has writes no record");

        // by digest: same image, no tag name
        ImageReference byDigest = ImageReference.parse(r.repositoryName() + "@" + rec.manifestDigest());
        ImageRecord rec4 = new ImagePuller(target, options(new ByteArrayOutputStream(), null, false), null).pull(byDigest);
        assertEquals(rec.id(), rec4.id());
        assertEquals(List.of(), rec4.names());
        assertEquals(List.of(byDigest.name()), rec4.digests());
        assertEquals(rec3.id(), rec4.id());
    }

    @Test
    void indexPlatformSelection() {
        ScratchTarget target = new ScratchTarget();
        ImageReference multi = ref("-multi");
        ImageRecord amd = new ImagePuller(target, options(new ByteArrayOutputStream(), "linux/amd64", false), null).pull(multi);
        ImageRecord arm = new ImagePuller(target, options(new ByteArrayOutputStream(), "linux/arm64", false), null).pull(multi);
        assertTrue(!amd.id().equals(arm.id()));
        assertEquals(amd.layers(), arm.layers()); // same layers, different config
        assertEquals(amd.digests(), arm.digests()); // both named by the index digest
        try (RegistryClient c = new RegistryClient(multi, true, (Credentials) null)) {
            FetchedManifest m = c.manifest(arm.manifestDigest());
            Descriptor config = ((ImageManifest) ManifestParser.parse(m.content(), m.contentType(), multi.name())).config();
            assertEquals(arm.id(), config.digest()); // the image id is the config digest
            ImageConfig armConfig = ManifestParser.parseConfig(c.blob(config.digest(), config.size(), 10_000), multi.name());
            assertEquals("arm64", armConfig.architecture());
            assertEquals("v8", armConfig.variant());
        }
        ImageException none = assertThrows(ImageException.class,
                () -> new ImagePuller(target, options(new ByteArrayOutputStream(), "linux/s390x", false), null).pull(multi));
        assertEquals("image \"" + multi.name() + "\" has no manifest for platform linux/s390x; available platforms: linux/amd64, linux/arm64/v8",
                none.getMessage());
    }

    @Test
    void corruptBlobOnTheRegistryAbortsAndLeavesTheStoreUntouched() throws Exception {
        String root = System.getenv("JPOD_TEST_REGISTRY_ROOT");
        org.junit.jupiter.api.Assumptions.assumeTrue(root != null, "JPOD_TEST_REGISTRY_ROOT not set");
        // A fresh image with unique layers, pushed here so corrupting it harms no other test.
        byte[] layerA = gzipTar("a.bin", randomBytes(300_000, System.nanoTime()));
        byte[] tarB = tar("b.bin", randomBytes(200_000, System.nanoTime() + 1));
        byte[] layerB = gzip(tarB);
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digests.sha256(ungzip(layerA)) + "\",\"" + Digests.sha256(tarB) + "\"]}}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        String repo = "jpod/corrupt";
        String dA = push(repo, layerA);
        String dB = push(repo, layerB);
        String dC = push(repo, configBytes);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.DOCKER_CONFIG + "\",\"digest\":\"" + dC + "\",\"size\":" + configBytes.length + "},\"layers\":["
                + "{\"mediaType\":\"" + MediaTypes.DOCKER_LAYER_GZIP + "\",\"digest\":\"" + dA + "\",\"size\":" + layerA.length + "},"
                + "{\"mediaType\":\"" + MediaTypes.DOCKER_LAYER_GZIP + "\",\"digest\":\"" + dB + "\",\"size\":" + layerB.length + "}]}";
        putManifest(repo, "bad", manifest, MediaTypes.DOCKER_MANIFEST);
        // flip one byte of layer B in the registry's storage: same size, different digest
        Path data = Path.of(root, "docker/registry/v2/blobs/sha256", dB.substring(7, 9), dB.substring(7), "data");
        byte[] stored = Files.readAllBytes(data);
        stored[stored.length / 2] ^= 0x01;
        Files.write(data, stored);

        ScratchTarget target = new ScratchTarget();
        ImageException e = assertThrows(ImageException.class, () -> new ImagePuller(target,
                options(new ByteArrayOutputStream(), null, false), null).pull(ImageReference.parse(registry + "/" + repo + ":bad")));
        assertTrue(e.getMessage().startsWith("blob " + dB + ": downloaded content has digest sha256:"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; the registry sent corrupt data"), e.getMessage());
        assertEquals(0, target.committed.size(), "layer A verified fine but must not be committed either");
        assertEquals(0, target.images.size());
        assertEquals(0, target.openStaged.get(), "staged layers discarded");
    }

    @Test
    void connectionRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ImageException e = assertThrows(ImageException.class, () -> new ImagePuller(new ScratchTarget(),
                options(new ByteArrayOutputStream(), null, false), null).pull(ImageReference.parse("127.0.0.1:" + port + "/x:1")));
        assertEquals("cannot reach registry 127.0.0.1:" + port + ": connection refused", e.getMessage());
    }

    /** JPOD_TEST_AUTH_REGISTRY (htpasswd auth) with JPOD_TEST_AUTH_IMAGE pushed, JPOD_TEST_AUTH_USER=user:password. */
    @Test
    void basicAuth() {
        String authRegistry = System.getenv("JPOD_TEST_AUTH_REGISTRY");
        String user = System.getenv("JPOD_TEST_AUTH_USER");
        org.junit.jupiter.api.Assumptions.assumeTrue(authRegistry != null && user != null, "JPOD_TEST_AUTH_REGISTRY/USER not set");
        ImageReference r = ImageReference.parse(authRegistry + "/" + System.getenv().getOrDefault("JPOD_TEST_AUTH_IMAGE", "private/busybox:2.0"));
        ImageException anonymous = assertThrows(ImageException.class,
                () -> new ImagePuller(new ScratchTarget(), options(new ByteArrayOutputStream(), null, false), null).pull(r));
        assertEquals("image \"" + r.name() + "\": authentication required (or the repository does not exist); log in with jpod login "
                + authRegistry, anonymous.getMessage());
        Credentials wrong = new Credentials(user.substring(0, user.indexOf(':')), "wrong");
        ImageException rejected = assertThrows(ImageException.class,
                () -> new ImagePuller(new ScratchTarget(), options(new ByteArrayOutputStream(), null, false), wrong).pull(r));
        assertTrue(rejected.getMessage().contains("refused the credentials of user"), rejected.getMessage());
        Credentials good = new Credentials(user.substring(0, user.indexOf(':')), user.substring(user.indexOf(':') + 1));
        ScratchTarget target = new ScratchTarget();
        ImageRecord rec = new ImagePuller(target, options(new ByteArrayOutputStream(), null, false), good).pull(r);
        assertEquals(2, target.committed.size());
        assertEquals(List.of(r.name()), rec.names());
    }

    /**
     * JPOD_TEST_TOKEN_REGISTRY: docker-registry with "token" auth whose token server grants anonymous pull on public/*
     * and everything to JPOD_TEST_AUTH_USER; public/busybox:3.0 and private/busybox:3.0 pushed.
     */
    @Test
    void bearerTokenAuth() {
        String tokenRegistry = System.getenv("JPOD_TEST_TOKEN_REGISTRY");
        String user = System.getenv("JPOD_TEST_AUTH_USER");
        org.junit.jupiter.api.Assumptions.assumeTrue(tokenRegistry != null && user != null, "JPOD_TEST_TOKEN_REGISTRY/AUTH_USER not set");
        ScratchTarget anonymousTarget = new ScratchTarget();
        ImageRecord pub = new ImagePuller(anonymousTarget, options(new ByteArrayOutputStream(), null, false), null)
                .pull(ImageReference.parse(tokenRegistry + "/public/busybox:3.0"));
        assertEquals(2, pub.layers().size());

        ImageReference priv = ImageReference.parse(tokenRegistry + "/private/busybox:3.0");
        ImageException anonymous = assertThrows(ImageException.class,
                () -> new ImagePuller(new ScratchTarget(), options(new ByteArrayOutputStream(), null, false), null).pull(priv));
        assertEquals("image \"" + priv.name() + "\": authentication required (or the repository does not exist); log in with jpod login "
                + tokenRegistry, anonymous.getMessage());
        String name = user.substring(0, user.indexOf(':'));
        ImageException rejected = assertThrows(ImageException.class, () -> new ImagePuller(new ScratchTarget(),
                options(new ByteArrayOutputStream(), null, false), new Credentials(name, "wrong")).pull(priv));
        assertEquals("registry " + tokenRegistry + " rejected the credentials for user \"" + name + "\"; log in again with jpod login "
                + tokenRegistry, rejected.getMessage());
        ImageRecord rec = new ImagePuller(new ScratchTarget(), options(new ByteArrayOutputStream(), null, false),
                new Credentials(name, user.substring(user.indexOf(':') + 1))).pull(priv);
        assertEquals(pub.id(), rec.id());
    }

    // ------------------------------------------------------------ pushing (test only)

    private String push(String repo, byte[] blob) throws Exception {
        String digest = Digests.sha256(blob);
        HttpClient h = HttpClient.newHttpClient();
        HttpResponse<Void> post = h.send(HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(202, post.statusCode());
        URI location = URI.create("http://" + registry + "/").resolve(post.headers().firstValue("Location").orElseThrow());
        String sep = location.toString().contains("?") ? "&" : "?";
        HttpResponse<Void> put = h.send(HttpRequest.newBuilder(URI.create(location + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(201, put.statusCode());
        return digest;
    }

    private void putManifest(String repo, String tag, String manifest, String mediaType) throws Exception {
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + registry + "/v2/" + repo + "/manifests/" + tag))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] tar(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(content.length);
            t.putArchiveEntry(e);
            t.write(content);
            t.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] gzipTar(String name, byte[] content) throws IOException {
        return gzip(tar(name, content));
    }

    private static byte[] ungzip(byte[] gz) throws IOException {
        return new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz)).readAllBytes();
    }
}
