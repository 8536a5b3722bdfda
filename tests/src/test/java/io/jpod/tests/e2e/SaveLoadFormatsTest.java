package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.OciImageBuilder;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.StoreSnapshot;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.jpod.tests.support.TarFiles;

/**
 * What podman 4 users do with save/load beyond one image in one archive: multi-image docker-archives (-m), extra
 * tags, the oci-dir and docker-dir directory layouts, and damaged directories refused with the store unchanged.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SaveLoadFormatsTest {
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
    void multiImageArchiveWritesTheSharedBaseLayerOnceAndLoadsBothImagesBack() throws IOException {
        BuiltImage one = TestImage.busybox().file("f", "one\n", 0644).build();
        BuiltImage two = TestImage.busybox().file("f", "two\n", 0644).build();
        assertEquals(one.diffIds().get(0), two.diffIds().get(0), "the test images share the busybox base layer");
        String first = pulled(one, "formats/one");
        String second = pulled(two, "formats/two");
        Path archive = env.home().resolve("multi.tar");
        env.ok("save", "-m", "-o", archive.toString(), first, second);

        List<String> names = TarFiles.names(archive);
        Map<String, byte[]> entries = TarFiles.files(archive);
        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertEquals(2, manifest.size(), manifest::toString);
        assertEquals(List.of(first), texts(manifest.get(0).path("RepoTags")), manifest::toString);
        assertEquals(List.of(second), texts(manifest.get(1).path("RepoTags")), manifest::toString);
        String base = manifest.get(0).path("Layers").get(0).asText();
        assertEquals(base, manifest.get(1).path("Layers").get(0).asText(), "both images name the shared layer: " + manifest);
        assertEquals(1, names.stream().filter(base::equals).count(), () -> "the shared layer is written once: " + names);
        assertEquals(names.size(), names.stream().distinct().count(), () -> "no entry written twice: " + names);

        env.ok("rmi", first, second);
        Result load = env.ok("load", "-i", archive.toString());
        assertEquals(List.of("Loaded image: " + first, "Loaded image: " + second), load.stdout().strip().lines().toList(), load::toString);
        assertEquals(List.of(first), texts(image(one.imageId()).path("Names")));
        assertEquals(List.of(second), texts(image(two.imageId()).path("Names")));
        assertEquals("two\n", env.ok("run", "--rm", second, "cat", "/f").stdout());

        // all or nothing across the images of one archive: a damaged second image keeps the first one out too
        env.ok("rmi", first, second);
        StoreSnapshot before = StoreSnapshot.of(env);
        // the second image's top layer replaced by the first one's: a valid tar whose digest is not the config's diff_id
        entries.put(manifest.get(1).path("Layers").get(1).asText(), entries.get(manifest.get(0).path("Layers").get(1).asText()));
        Path bad = env.home().resolve("multi-bad.tar");
        writeTar(bad, entries);
        env.run(T, "load", "-i", bad.toString()).assertOneError("corrupt");
        assertEquals(before, StoreSnapshot.of(env), "a refused multi-image archive changed the store");

        // -m is for docker-archive only; nothing is written
        env.ok("load", "-i", archive.toString());
        Path oci = env.home().resolve("multi-oci.tar");
        Result refused = env.run(T, "save", "-m", "--format", "oci-archive", "-o", oci.toString(), first, second);
        refused.assertOneError("only for docker-archive");
        assertFalse(Files.exists(oci));
        assertEquals(List.of(), leftovers(env.home()));
    }

    @Test
    void extraArgumentsAreMoreTagsForTheImageAndLoadBackAsItsNames() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "tags\n", 0644).build();
        String name = pulled(img, "formats/tags");
        Path archive = env.home().resolve("tags.tar");
        env.ok("save", "-o", archive.toString(), name, "extra", "other/name:2");

        JsonNode manifest = JSON.readTree(TarFiles.files(archive).get("manifest.json"));
        assertEquals(1, manifest.size(), manifest::toString);
        // short names are qualified as jpod tag qualifies them (podman's rule)
        assertEquals(List.of(name, "localhost/extra:latest", "localhost/other/name:2"), texts(manifest.get(0).path("RepoTags")));

        env.ok("rmi", name);
        env.ok("load", "-i", archive.toString());
        List<String> names = texts(image(img.imageId()).path("Names"));
        assertTrue(names.containsAll(List.of(name, "localhost/extra:latest", "localhost/other/name:2")), names::toString);
        assertEquals("tags\n", env.ok("run", "--rm", "extra", "cat", "/f").stdout());

        // an OCI layout has room for one name: refused rather than dropped silently
        Result r = env.run(T, "save", "--format", "oci-dir", "-o", env.home().resolve("tags-dir").toString(), name, "extra");
        r.assertOneError("docker-archive");
        assertFalse(Files.exists(env.home().resolve("tags-dir")));
    }

    @Test
    void ociDirAndDockerDirRoundTripWithTheSameId() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "dirs\n", 0644).build();
        String name = pulled(img, "formats/dirs");

        Path ociDir = env.home().resolve("oci-dir");
        env.ok("save", "--format", "oci-dir", "-o", ociDir.toString(), name);
        assertEquals("1.0.0", JSON.readTree(ociDir.resolve("oci-layout").toFile()).path("imageLayoutVersion").asText());
        JsonNode desc = JSON.readTree(ociDir.resolve("index.json").toFile()).path("manifests").get(0);
        assertEquals(name, desc.path("annotations").path(REF_NAME).asText());
        JsonNode ociManifest = JSON.readTree(ociDir.resolve("blobs/sha256/" + hex(desc.path("digest").asText())).toFile());
        assertEquals(img.imageId(), ociManifest.path("config").path("digest").asText());
        for (JsonNode l : ociManifest.path("layers")) {
            assertTrue(Files.isRegularFile(ociDir.resolve("blobs/sha256/" + hex(l.path("digest").asText()))), l::toString);
        }

        Path dockerDir = env.home().resolve("docker-dir");
        env.ok("save", "--format", "docker-dir", "-o", dockerDir.toString(), name);
        assertEquals("Directory Transport Version: 1.1\n", Files.readString(dockerDir.resolve("version")));
        JsonNode v2s2 = JSON.readTree(dockerDir.resolve("manifest.json").toFile());
        assertEquals("application/vnd.docker.distribution.manifest.v2+json", v2s2.path("mediaType").asText());
        assertEquals(img.manifestDigest(), sha256(Files.readAllBytes(dockerDir.resolve("manifest.json"))),
                "a pulled Docker schema 2 manifest is written as it is");
        assertTrue(Files.isRegularFile(dockerDir.resolve(hex(img.imageId()))), "the config is named by its hex digest");
        for (JsonNode l : v2s2.path("layers")) {
            assertTrue(Files.isRegularFile(dockerDir.resolve(hex(l.path("digest").asText()))), l::toString);
        }

        env.ok("rmi", name);
        Result load = env.ok("load", "-i", ociDir.toString());
        assertEquals("Loaded image: " + name, load.stdout().strip(), load::toString);
        assertEquals(List.of(name), texts(image(img.imageId()).path("Names")));
        assertEquals("dirs\n", env.ok("run", "--rm", name, "cat", "/f").stdout());

        env.ok("rmi", name);
        env.ok("load", "-i", dockerDir.toString());
        JsonNode fromDockerDir = image(img.imageId());
        assertEquals(img.manifestDigest(), fromDockerDir.path("Digest").asText(), fromDockerDir::toString);
        assertEquals(List.of(), texts(fromDockerDir.path("Names")), "the dir transport carries no name (podman loads it by id)");
        env.ok("tag", img.imageId().substring(7), name);

        // a directory is written whole or not at all, never into a non-empty one
        Result occupied = env.run(T, "save", "--format", "oci-dir", "-o", ociDir.toString(), name);
        occupied.assertOneError("not empty");
        Result noOutput = env.run(T, "save", "--format", "docker-dir", name);
        noOutput.assertOneError("-o DIR");
        Result compressArchive = env.run(T, "save", "--compress", "-o", env.home().resolve("c.tar").toString(), name);
        compressArchive.assertOneError("docker-dir");
        assertEquals(List.of(), leftovers(env.home()));
    }

    @Test
    void compressGzipsPlainLayersOfADockerDirAndKeepsTheId() throws IOException {
        BuiltImage plain = TestImage.busybox().compression(OciImageBuilder.Compression.NONE).file("f", "plain\n", 0644).build();
        String name = pulled(plain, "formats/plain");
        Path dir = env.home().resolve("compressed-dir");
        env.ok("save", "--format", "docker-dir", "--compress", "-o", dir.toString(), name);
        JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
        for (JsonNode l : manifest.path("layers")) {
            assertEquals("application/vnd.docker.image.rootfs.diff.tar.gzip", l.path("mediaType").asText(), manifest::toString);
            byte[] blob = Files.readAllBytes(dir.resolve(hex(l.path("digest").asText())));
            assertEquals(0x1f, blob[0] & 0xff, "gzip magic");
            assertEquals(0x8b, blob[1] & 0xff, "gzip magic");
            assertEquals(l.path("digest").asText(), sha256(blob));
        }
        env.ok("rmi", name);
        env.ok("load", "-i", dir.toString());
        env.ok("tag", plain.imageId().substring(7), name);
        assertEquals("plain\n", env.ok("run", "--rm", name, "cat", "/f").stdout());
    }

    @Test
    void aDirectoryWithAnAlteredBlobIsRefusedNamingItAndLeavesTheStoreUnchanged() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "altered\n", 0644).build();
        String name = pulled(img, "formats/altered");
        Path ociDir = env.home().resolve("altered-oci");
        env.ok("save", "--format", "oci-dir", "-o", ociDir.toString(), name);
        Path dockerDir = env.home().resolve("altered-docker");
        env.ok("save", "--format", "docker-dir", "-o", dockerDir.toString(), name);
        env.ok("rmi", name);
        StoreSnapshot before = StoreSnapshot.of(env);

        String topLayer = img.layers().get(img.layers().size() - 1).digest();
        expectRefused(before, ociDir, ociDir.resolve("blobs/sha256/" + hex(topLayer)), topLayer);
        expectRefused(before, dockerDir, dockerDir.resolve(hex(topLayer)), topLayer);
        expectRefused(before, dockerDir, dockerDir.resolve(hex(img.imageId())), img.imageId());

        Files.delete(ociDir.resolve("index.json"));
        env.run(T, "load", "-i", ociDir.toString()).assertOneError("neither an oci-dir");
        assertEquals(before, StoreSnapshot.of(env));

        // the undamaged directory still loads: the refusals were about the damage
        env.ok("load", "-i", dockerDir.toString());
        assertEquals(img.imageId().substring(7), image(img.imageId()).path("Id").asText());
    }

    /** Flips one byte of {@code file}, expects load to fail naming {@code digest} with the store unchanged, restores it. */
    private static void expectRefused(StoreSnapshot before, Path dir, Path file, String digest) throws IOException {
        byte[] good = Files.readAllBytes(file);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x01;
        Files.write(file, bad);
        try {
            Result r = env.run(T, "load", "-i", dir.toString());
            r.assertOneError(digest);
            assertEquals(before, StoreSnapshot.of(env), () -> "loading " + file + " changed the store");
        } finally {
            Files.write(file, good);
        }
    }

    /** Temporary files or directories a save left beside its target. */
    private static List<String> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".jpod-save-")).toList();
        }
    }

    private static JsonNode image(String id) {
        Result r = env.ok("images", "--format", "json", "--no-trunc");
        for (JsonNode n : r.json()) {
            if (id.substring(7).equals(n.path("Id").asText())) {
                return n;
            }
        }
        throw new AssertionError("no image " + id + " in " + r);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    private static String sha256(byte[] b) {
        return io.jpod.tests.support.Blob.sha256(b);
    }

    /** Writes the entries as a tar the test user can read. */
    private static void writeTar(Path file, Map<String, byte[]> entries) throws IOException {
        TarFiles.write(file, entries, Map.of(), env.user());
    }
}
