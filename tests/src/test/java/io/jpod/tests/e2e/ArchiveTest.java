package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.tests.support.Blob;
import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LayerBuilder;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.OciImageBuilder;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.StoreSnapshot;
import io.jpod.tests.support.TarFiles;
import org.junit.jupiter.api.extension.RegisterExtension;

/** save/load in both archive formats: oci-archive round trips, docker save's exact layout, and hostile archives. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ArchiveTest {
    private static final Duration T = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REF_NAME = "org.opencontainers.image.ref.name";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX

    private static String pulled(BuiltImage img, String repo) {
        return FX.pushAndPull(img, repo);
    }

    @Test
    void saveToADirectoryTheUserCannotWriteIsOneClearError() {
        String image = pulled(TestImage.busybox().file("s", "s\n", 0644).build(), "archive/unwritable");
        Result r = env.run(T, "save", "-o", "/jpod-unwritable-" + ProcessHandle.current().pid() + ".tar", image);
        assertEquals(125, r.exitCode(), r::toString);
        String err = r.stderr().strip();
        assertEquals(1, err.lines().count(), () -> "one line: " + r);
        assertTrue(err.startsWith("Error: cannot write /jpod-unwritable-") && err.contains("permission denied")
                && err.contains("choose a directory you can write to"), r::toString);
        assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/jpod-unwritable-" + ProcessHandle.current().pid() + ".tar")));
    }

    @Test
    void ociArchiveRoundTripPreservesIdAndTagsFromAFileAndFromGzippedStdin() throws IOException {
        // a Docker schema 2 image: saved as OCI with the same config bytes, so the id survives the conversion
        BuiltImage docker = TestImage.busybox().file("f", "oci-saved\n", 0644).build();
        String name = pulled(docker, "archive/oci-docker");
        Path archive = env.home().resolve("oci.tar");
        env.ok("save", "--format", "oci-archive", "-o", archive.toString(), name);

        Map<String, byte[]> entries = readTar(archive);
        assertEquals("1.0.0", JSON.readTree(entries.get("oci-layout")).path("imageLayoutVersion").asText());
        assertFalse(entries.containsKey("manifest.json"), "an oci-archive has no docker manifest.json");
        JsonNode index = JSON.readTree(entries.get("index.json"));
        JsonNode desc = index.path("manifests").get(0);
        assertEquals(name, desc.path("annotations").path(REF_NAME).asText(), index::toString);
        assertEquals("application/vnd.oci.image.manifest.v1+json", desc.path("mediaType").asText());
        JsonNode manifest = JSON.readTree(entries.get("blobs/sha256/" + desc.path("digest").asText().substring(7)));
        assertEquals(docker.imageId(), manifest.path("config").path("digest").asText());
        assertEquals("application/vnd.oci.image.config.v1+json", manifest.path("config").path("mediaType").asText());
        assertTrue(entries.containsKey("blobs/sha256/" + docker.imageId().substring(7)), "config blob missing");

        env.ok("rmi", name);
        assertFalse(env.ok("images", "-q", "--no-trunc").stdout().contains(docker.imageId().substring(7)));
        Result load = env.ok("load", "-i", archive.toString());
        assertEquals("Loaded image: " + name, load.stdout().strip(), load::toString);
        JsonNode loaded = image(docker.imageId());
        assertTrue(loaded.path("Names").toString().contains(name), loaded::toString);
        assertEquals("oci-saved\n", env.ok("run", "--rm", name, "cat", "/f").stdout());

        // an OCI image keeps its manifest as it is: same manifest digest after the round trip, here gzipped through stdin
        BuiltImage oci = TestImage.busybox().format(OciImageBuilder.Format.OCI).file("f", "oci-native\n", 0644).build();
        String ociName = pulled(oci, "archive/oci-native");
        Path ociArchive = env.home().resolve("native.tar");
        env.ok("save", "--format", "oci-archive", "-o", ociArchive.toString(), ociName);
        Path gz = env.home().resolve("native.tar.gz");
        Files.write(gz, LayerBuilder.gzip(Files.readAllBytes(ociArchive)));
        env.user().chown(gz);
        env.ok("rmi", ociName);
        Result fromStdin = env.runWithInput(gz, Map.of(), T, "load");
        assertEquals(0, fromStdin.exitCode(), fromStdin::toString);
        assertEquals("Loaded image: " + ociName, fromStdin.stdout().strip(), fromStdin::toString);
        JsonNode again = image(oci.imageId());
        assertEquals(oci.manifestDigest(), again.path("Digest").asText(), again::toString);
        assertTrue(again.path("Names").toString().contains(ociName), again::toString);
        assertEquals("oci-native\n", env.ok("run", "--rm", ociName, "cat", "/f").stdout());

        // the default format stays docker-archive
        Path dflt = env.home().resolve("default.tar");
        env.ok("save", "-o", dflt.toString(), ociName);
        assertTrue(readTar(dflt).containsKey("manifest.json"));
        Result bad = env.run(T, "save", "--format", "tar", "-o", env.home().resolve("x").toString(), ociName);
        bad.assertOneError("oci-archive");
    }

    @Test
    void dockerSaveArchiveLoadsWithTheIdPodmanShows() throws IOException {
        // exactly `docker save`'s (pre-25) layout: manifest.json, <config hex>.json, <v1 id>/{VERSION,json,layer.tar},
        // repositories; a layer already written for another image is a symlink to the first copy, as moby writes it
        BuiltImage one = TestImage.busybox().compression(OciImageBuilder.Compression.NONE).file("f", "from docker\n", 0644).build();
        BuiltImage two = TestImage.busybox().compression(OciImageBuilder.Compression.NONE).file("f", "second\n", 0644).build();
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, String> links = new LinkedHashMap<>();
        Map<String, String> diffPaths = new LinkedHashMap<>();
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode repositories = JSON.createObjectNode();
        addDockerSaveImage(one, "jpodtest/from-docker", "1.0", files, links, diffPaths, manifest, repositories);
        addDockerSaveImage(two, "jpodtest/second", "2.0", files, links, diffPaths, manifest, repositories);
        assertEquals(1, links.size(), "the shared base layer is written once and linked once");
        files.put("manifest.json", JSON.writeValueAsBytes(manifest));
        files.put("repositories", JSON.writeValueAsBytes(repositories));
        Path archive = env.home().resolve("docker-save.tar");
        writeTar(archive, files, links);

        Result load = env.runWithInput(archive, Map.of(), T, "load");
        assertEquals(0, load.exitCode(), load::toString);
        // podman's image id is the sha256 of the config bytes; RepoTags are normalised as podman does
        JsonNode shown = image("sha256:" + sha256Hex(one.config().bytes()));
        assertEquals("docker.io/jpodtest/from-docker:1.0", shown.path("Names").get(0).asText(), shown::toString);
        JsonNode second = image("sha256:" + sha256Hex(two.config().bytes()));
        assertEquals("docker.io/jpodtest/second:2.0", second.path("Names").get(0).asText(), second::toString);
        assertEquals("from docker\n", env.ok("run", "--rm", "jpodtest/from-docker:1.0", "cat", "/f").stdout());
        assertEquals("second\n", env.ok("run", "--rm", "jpodtest/second:2.0", "cat", "/f").stdout());
    }

    private static void addDockerSaveImage(BuiltImage img, String repo, String tag, Map<String, byte[]> files, Map<String, String> links,
                                           Map<String, String> diffPaths, ArrayNode manifest, ObjectNode repositories) throws IOException {
        String configName = img.imageId().substring(7) + ".json";
        ArrayNode layerNames = JSON.createArrayNode();
        String parentV1 = null;
        for (Blob layer : img.layers()) {
            // v1 ids depend on the image, so a shared layer gets another directory in each image
            String v1 = sha256Hex((img.imageId() + parentV1 + layer.digest()).getBytes(StandardCharsets.UTF_8));
            files.put(v1 + "/VERSION", "1.0".getBytes(StandardCharsets.US_ASCII));
            ObjectNode v1json = JSON.createObjectNode().put("id", v1);
            if (parentV1 != null) {
                v1json.put("parent", parentV1);
            }
            files.put(v1 + "/json", JSON.writeValueAsBytes(v1json));
            String first = diffPaths.putIfAbsent(layer.digest(), v1 + "/layer.tar");
            if (first == null) {
                files.put(v1 + "/layer.tar", layer.bytes());
            } else {
                links.put(v1 + "/layer.tar", "../" + first);
            }
            layerNames.add(v1 + "/layer.tar");
            parentV1 = v1;
        }
        files.put(configName, img.config().bytes());
        ObjectNode entry = manifest.addObject();
        entry.put("Config", configName);
        entry.putArray("RepoTags").add(repo + ":" + tag);
        entry.set("Layers", layerNames);
        repositories.putObject(repo).put(tag, parentV1);
    }

    @Test
    void ociArchiveWithAMultiPlatformIndexLoadsTheHostPlatform() throws IOException {
        BuiltImage img = TestImage.busybox().format(OciImageBuilder.Format.OCI).file("f", "multi\n", 0644).build();
        String name = pulled(img, "archive/multi");
        Path single = env.home().resolve("single.tar");
        env.ok("save", "--format", "oci-archive", "-o", single.toString(), name);
        env.ok("rmi", name);
        Map<String, byte[]> entries = readTar(single);
        JsonNode amd64 = JSON.readTree(entries.get("index.json")).path("manifests").get(0);
        // as skopeo copy --all writes it: index.json names an index whose other platforms' blobs are absent
        ObjectNode list = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode manifests = list.putArray("manifests");
        manifests.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json").put("digest", "sha256:" + "0".repeat(64))
                .put("size", 500).putObject("platform").put("os", "linux").put("architecture", "arm64");
        ObjectNode host = manifests.addObject().put("mediaType", amd64.path("mediaType").asText()).put("digest", amd64.path("digest").asText())
                .put("size", amd64.path("size").asLong());
        host.putObject("platform").put("os", "linux").put("architecture", "amd64");
        byte[] listBytes = JSON.writeValueAsBytes(list);
        String listDigest = Blob.sha256(listBytes);
        entries.put("blobs/sha256/" + listDigest.substring(7), listBytes);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.index.v1+json").put("digest", listDigest)
                .put("size", listBytes.length).putObject("annotations").put(REF_NAME, name);
        entries.put("index.json", JSON.writeValueAsBytes(index));
        Path multi = env.home().resolve("multi.tar");
        writeTar(multi, entries);

        Result load = env.ok("load", "-i", multi.toString());
        assertEquals("Loaded image: " + name, load.stdout().strip(), load::toString);
        JsonNode loaded = image(img.imageId());
        assertEquals(img.manifestDigest(), loaded.path("Digest").asText(), loaded::toString);
        assertEquals("multi\n", env.ok("run", "--rm", name, "cat", "/f").stdout());
    }

    @Test
    void hostileOrBrokenArchivesAreRefusedAndLeaveTheStoreUnchanged() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "hostile\n", 0644).build();
        String name = pulled(img, "archive/hostile");
        Path good = env.home().resolve("good-oci.tar");
        env.ok("save", "--format", "oci-archive", "-o", good.toString(), name);
        Path goodDocker = env.home().resolve("good-docker.tar");
        env.ok("save", "-o", goodDocker.toString(), name);
        env.ok("rmi", name);
        Map<String, byte[]> entries = readTar(good);
        JsonNode index = JSON.readTree(entries.get("index.json"));
        JsonNode manifest = JSON.readTree(entries.get("blobs/sha256/" + index.path("manifests").get(0).path("digest").asText().substring(7)));
        JsonNode layers = manifest.path("layers");
        String topLayer = "blobs/sha256/" + layers.get(layers.size() - 1).path("digest").asText().substring(7);
        String config = "blobs/sha256/" + manifest.path("config").path("digest").asText().substring(7);
        StoreSnapshot before = StoreSnapshot.of(env);

        expectRefused(before, good, "missing-blob", "missing", e -> {
            e.remove(topLayer);
            return e;
        });
        expectRefused(before, good, "flipped-layer", "archive", e -> {
            byte[] b = e.get(topLayer).clone();
            b[b.length / 2] ^= 0x01;
            e.put(topLayer, b);
            return e;
        });
        expectRefused(before, good, "flipped-config", "does not match", e -> {
            byte[] b = e.get(config).clone();
            b[b.length - 2] ^= 0x01;
            e.put(config, b);
            return e;
        });
        expectRefused(before, good, "dotdot", "outside the archive", e -> {
            e.put("../escape", "x".getBytes(StandardCharsets.US_ASCII));
            return e;
        });
        expectRefused(before, good, "bad-index", "index.json", e -> {
            e.put("index.json", "{not json".getBytes(StandardCharsets.US_ASCII));
            return e;
        });
        expectRefused(before, goodDocker, "docker-dotdot", "outside the archive", e -> {
            e.put("blobs/../../escape", "x".getBytes(StandardCharsets.US_ASCII));
            return e;
        });
        expectRefused(before, good, "neither", "neither a docker-archive", e -> {
            e.remove("oci-layout");
            return e;
        });

        // the untouched archive still loads, so the refusals above were about the damage
        env.ok("load", "-i", good.toString());
        assertEquals(img.imageId().substring(7), image(img.imageId()).path("Id").asText());
    }

    private static void expectRefused(StoreSnapshot before, Path source, String label, String mention,
                                      UnaryOperator<Map<String, byte[]>> damage) throws IOException {
        Path bad = env.home().resolve(label + ".tar");
        writeTar(bad, damage.apply(readTar(source)));
        Result r = env.run(T, "load", "-i", bad.toString());
        r.assertOneError(mention);
        assertEquals(before, StoreSnapshot.of(env), () -> "loading " + label + " changed the store");
    }

    private static JsonNode image(String id) {
        Result r = env.ok("images", "--format", "json", "--no-trunc");
        try {
            for (JsonNode n : JSON.readTree(r.stdout())) {
                if (id.substring(7).equals(n.path("Id").asText())) {
                    return n;
                }
            }
        } catch (IOException e) {
            throw new AssertionError(r.toString(), e);
        }
        throw new AssertionError("no image " + id + " in " + r);
    }

    private static Map<String, byte[]> readTar(Path file) throws IOException {
        Map<String, byte[]> out = TarFiles.files(file);
        assertNotNull(out.get(out.containsKey("manifest.json") ? "manifest.json" : "index.json"), "not an image archive: " + file);
        return out;
    }

    /** Writes the entries as a tar the test user can read. */
    private static void writeTar(Path file, Map<String, byte[]> entries) throws IOException {
        writeTar(file, entries, Map.of());
    }

    /** Files, then symlinks (name → target). */
    private static void writeTar(Path file, Map<String, byte[]> entries, Map<String, String> symlinks) throws IOException {
        TarFiles.write(file, entries, symlinks, env.user());
    }

    private static String sha256Hex(byte[] b) {
        return Blob.sha256(b).substring(7);
    }
}
