package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/** images flags, tag, untag, rmi, image inspect, history and image prune on a real store. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ImageCommandsTest {
    private static final Duration T = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX



    private static Result fails(String mention, String... args) {
        Result r = env.run(T, args);
        assertEquals(125, r.exitCode(), r::toString);
        String last = r.stderr().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("Error: ") && last.contains(mention), () -> "expected an error mentioning " + mention + r);
        return r;
    }

    private String pulled(String repo, String content) {
        BuiltImage img = TestImage.busybox().file("f", content, 0644).label("content", content.strip()).build();
        FX.pushAndPull(img, repo);
        return img.imageId().substring(7);
    }

    private static long layerDirs() throws IOException {
        try (Stream<Path> s = Files.list(env.storageRoot().resolve("overlay"))) {
            return s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).count();
        }
    }

    @Test
    void tagUntagImagesFlagsAndRmiByName() {
        String id = pulled("cmds/tagged", "tagged\n");
        String name = registry.hostPort() + "/cmds/tagged:1";
        env.ok("tag", name, "mytag", "other.example/ns/x:2");
        Result images = env.ok("images");
        assertTrue(images.stdout().contains("localhost/mytag"), images::toString);
        assertTrue(images.stdout().contains("other.example/ns/x"), images::toString);

        Result filtered = env.ok("images", "--filter", "reference=*mytag*", "--format", "json");
        assertEquals(1, readTree(filtered).size(), filtered::toString);
        Result none = env.ok("images", "-q", "--filter", "reference=nothing-like-this");
        assertEquals("", none.stdout().strip(), none::toString);
        Result digests = env.ok("images", "--digests", "-a");
        assertTrue(digests.stdout().contains("DIGEST") && digests.stdout().contains("sha256:"), digests::toString);
        Result quiet = env.ok("image", "ls", "-q", "--no-trunc");
        assertTrue(quiet.stdout().contains(id), quiet::toString);

        env.ok("untag", id, "other.example/ns/x:2");
        assertFalse(env.ok("images").stdout().contains("other.example/ns/x"));

        // removing one of several names only untags
        Result rmi = env.ok("rmi", "mytag");
        assertEquals("Untagged: localhost/mytag:latest", rmi.stdout().strip(), rmi::toString);
        assertTrue(env.ok("images", "-q", "--no-trunc").stdout().contains(id));
        Result missing = env.run(T, "rmi", "no-such-image-here", "mytag2-none");
        assertEquals(1, missing.exitCode(), missing::toString); // podman's rmi: 1 when an image did not exist
        assertTrue(missing.stderr().contains("no-such-image-here: image not known"), missing::toString);
        assertEquals(0, env.run(T, "rmi", "-i", "no-such-image-here").exitCode());
    }

    /** podman's rmi -f (070-build "--volumes-from conflict" ends with it): a running container of the image goes too. */
    @Test
    void rmiForceStopsAndRemovesARunningContainerOfTheImage() throws IOException {
        String id = pulled("cmds/running-user", "running\n");
        String name = registry.hostPort() + "/cmds/running-user:1";
        env.ok("run", "-d", "--name", "running-user", name, "sleep", "300");
        Result refused = env.run(T, "rmi", name);
        assertEquals(2, refused.exitCode(), refused::toString);
        Result forced = env.ok("rmi", "-f", name);
        assertTrue(forced.stdout().contains("Deleted: " + id), forced::toString);
        assertFalse(env.ok("ps", "-a").stdout().contains("running-user"));
        assertFalse(env.ok("images", "-q", "--no-trunc").stdout().contains(id));
    }

    @Test
    void rmiRefusesAnImageUsedByAContainerUnlessForcedAndCollectsItsLayers() throws IOException {
        String base = pulled("cmds/base-keeper", "keeper\n");
        String id = pulled("cmds/used", "used\n");
        long before = layerDirs();
        String name = registry.hostPort() + "/cmds/used:1";
        env.ok("run", "--name", "user-of-image", name, "true");
        Result inUse = env.run(T, "rmi", name);
        assertEquals(2, inUse.exitCode(), inUse::toString); // podman's rmi: 2 when a container uses it
        assertTrue(inUse.stderr().matches("(?s)Error: image used by [0-9a-f]{64}: image is in use by a container: consider listing external "
                + "containers and force-removing image\\s*"), inUse::toString); // podman's words
        Result forced = env.ok("rmi", "-f", name);
        assertTrue(forced.stdout().contains("Untagged: " + name) && forced.stdout().contains("Deleted: " + id), forced::toString);
        assertFalse(env.ok("ps", "-a").stdout().contains("user-of-image"));
        assertFalse(env.ok("images", "-q", "--no-trunc").stdout().contains(id));
        // its own layer is gone, the shared busybox base stays for the other image
        assertEquals(before - 1, layerDirs());
        Result run = env.ok("run", "--rm", registry.hostPort() + "/cmds/base-keeper:1", "cat", "/f");
        assertEquals("keeper\n", run.stdout());
        assertTrue(env.ok("images", "-q", "--no-trunc").stdout().contains(base));
    }

    @Test
    void inspectAndHistory() {
        String id = pulled("cmds/inspected", "inspected\n");
        String name = registry.hostPort() + "/cmds/inspected:1";
        Result r = env.ok("image", "inspect", name);
        JsonNode arr = readTree(r);
        assertEquals(1, arr.size(), r::toString);
        JsonNode i = arr.get(0);
        assertEquals(id, i.path("Id").asText(), r::toString);
        assertEquals(name, i.path("RepoTags").get(0).asText(), r::toString);
        assertEquals("amd64", i.path("Architecture").asText(), r::toString);
        assertEquals("linux", i.path("Os").asText(), r::toString);
        assertEquals("sh", i.path("Config").path("Cmd").get(0).asText(), r::toString);
        assertEquals("inspected", i.path("Labels").path("content").asText(), r::toString);
        assertEquals(2, i.path("RootFS").path("Layers").size(), r::toString);
        assertTrue(i.path("Digest").asText().startsWith("sha256:"), r::toString);

        Result h = env.ok("history", name);
        List<String> lines = h.stdout().strip().lines().toList();
        assertEquals(3, lines.size(), h::toString);
        assertTrue(lines.get(0).startsWith("ID") && lines.get(1).startsWith(id.substring(0, 12)), h::toString);
        assertTrue(lines.get(2).contains("<missing>") && lines.get(2).contains("busybox base layer"), h::toString);
        fails("not known", "image", "inspect", "nope-nothing");
    }

    @Test
    void pruneRemovesDanglingImagesAndWithAllEveryUnusedOne() {
        String dangling = pulled("cmds/dangling", "dangling\n");
        String kept = pulled("cmds/kept", "kept\n");
        env.ok("untag", dangling);
        Result images = env.ok("images");
        assertTrue(images.stdout().contains("<none>"), images::toString);
        Result prune = env.ok("image", "prune");
        assertTrue(prune.stdout().contains(dangling), prune::toString);
        assertFalse(env.ok("images", "-q", "--no-trunc").stdout().contains(dangling));
        assertTrue(env.ok("images", "-q", "--no-trunc").stdout().contains(kept));

        env.ok("run", "--name", "keeps-kept", registry.hostPort() + "/cmds/kept:1", "true");
        env.ok("image", "prune", "-a");
        assertTrue(env.ok("images", "-q", "--no-trunc").stdout().contains(kept), "an image used by a container survives prune -a");
        env.ok("rm", "keeps-kept");
        env.ok("image", "prune", "-a");
        assertFalse(env.ok("images", "-q", "--no-trunc").stdout().contains(kept));
    }

    @Test
    void pushToAnAuthenticatedRegistryThenRmiAndPullGivesTheSameDigest() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "pushed\n", 0644).build();
        registry.push(img, "cmds/pushed", "1");
        String source = registry.hostPort() + "/cmds/pushed:1";
        env.ok("pull", "-q", source);
        Path htpasswd = Files.createTempFile("jpod-htpasswd-", "");
        Files.writeString(htpasswd, "pusher:" + org.mindrot.jbcrypt.BCrypt.hashpw("pw", org.mindrot.jbcrypt.BCrypt.gensalt(5)) + "\n");
        try (LocalRegistry target = LocalRegistry.start("auth:\n  htpasswd:\n    realm: t\n    path: " + htpasswd + "\n")) {
            String dest = target.hostPort() + "/pushed/copy:2";
            fails("jpod login", "push", source, dest);
            Result push = env.ok("push", "--creds", "pusher:pw", source, dest);
            assertEquals(2, push.stderr().lines().filter(l -> l.startsWith("Copying blob") && l.endsWith("done")).count(), push::toString);
            Path digestFile = env.home().resolve("digest");
            Result again = env.ok("push", "--creds", "pusher:pw", "--digestfile", digestFile.toString(), source, dest);
            assertEquals(2, again.stderr().lines().filter(l -> l.contains("skipped: already exists") && l.startsWith("Copying blob")).count(),
                    again::toString);
            assertEquals(img.manifestDigest(), Files.readString(digestFile).strip());

            env.ok("rmi", source);
            assertFalse(env.ok("images", "-q", "--no-trunc").stdout().contains(img.imageId().substring(7)));
            Result pulled = env.ok("pull", "--creds", "pusher:pw", dest);
            assertEquals(img.imageId().substring(7), pulled.stdout().strip(), pulled::toString);
            Result digests = env.ok("images", "--digests");
            assertTrue(digests.stdout().contains(img.manifestDigest()), digests::toString);
        } finally {
            Files.deleteIfExists(htpasswd);
        }
    }

    @Test
    void saveRmiLoadPreservesIdAndTags() throws IOException {
        String id = pulled("cmds/saved", "saved\n");
        String name = registry.hostPort() + "/cmds/saved:1";
        Path archive = env.home().resolve("saved.tar");
        env.ok("save", "-o", archive.toString(), name);
        JsonNode manifest = null;
        int layerTars = 0;
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(archive))) {
            for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.getName().equals("manifest.json")) {
                    manifest = JSON.readTree(tar.readAllBytes());
                } else if (e.getName().matches("[0-9a-f]{64}\\.tar")) { // <diff_id hex>.tar, as podman names them
                    layerTars++;
                }
            }
        }
        assertTrue(manifest != null, "no manifest.json in the archive");
        assertEquals(id + ".json", manifest.get(0).path("Config").asText());
        assertEquals(name, manifest.get(0).path("RepoTags").get(0).asText());
        assertEquals(2, layerTars);

        env.ok("rmi", name);
        assertFalse(env.ok("images", "-q", "--no-trunc").stdout().contains(id));
        Result load = env.ok("load", "-i", archive.toString());
        assertEquals("Loaded image: " + name, load.stdout().strip(), load::toString);
        Result images = env.ok("images", "--no-trunc");
        assertTrue(images.stdout().contains(id) && images.stdout().contains(registry.hostPort() + "/cmds/saved"), images::toString);
        Result run = env.ok("run", "--rm", name, "cat", "/f");
        assertEquals("saved\n", run.stdout());
        fails("no such archive", "load", "-i", env.home().resolve("missing.tar").toString());
    }

    @Test
    void importOfARootfsTarballRunsWithItsChanges() throws IOException {
        Path rootfs = env.home().resolve("rootfs.tar.gz");
        Files.write(rootfs, io.jpod.tests.support.LayerBuilder.gzip(TestImage.baseLayer().file("etc/motd", "imported\n").tar()));
        env.user().chown(rootfs);
        Result imp = env.ok("import", "--change", "CMD [\"cat\", \"/etc/motd\"]", "--change", "ENV=GREETING=hello there",
                "-c", "WORKDIR /tmp", "-m", "from a test", rootfs.toString(), "imported");
        String id = imp.stdout().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), imp::toString);
        Result run = env.ok("run", "--rm", "imported");
        assertEquals("imported\n", run.stdout(), run::toString);
        Result env2 = env.ok("run", "--rm", "imported", "sh", "-c", "echo $GREETING; pwd");
        assertEquals("hello there\n/tmp\n", env2.stdout(), env2::toString);
        JsonNode inspect = readTree(env.ok("image", "inspect", "localhost/imported:latest")).get(0);
        assertEquals(id, inspect.path("Id").asText());
        assertEquals("from a test", inspect.path("History").get(0).path("comment").asText());
        fails("--change", "import", "-c", "FROM scratch", rootfs.toString());
    }

    /** An archive laid out as `docker save` (docker 25+) writes it: short RepoTags, blobs/sha256/… layer paths, repositories. */
    @Test
    void loadOfADockerSaveArchiveShowsTheConfigDigestAsId() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "docker\n", 0644).build();
        Path archive = env.home().resolve("docker-save.tar");
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(archive))) {
            tar.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            var layers = JSON.createArrayNode();
            for (int i = 0; i < img.layers().size(); i++) {
                byte[] plain;
                try (var gz = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(img.layers().get(i).bytes()))) {
                    plain = gz.readAllBytes();
                }
                String path = "blobs/sha256/" + img.diffIds().get(i).substring(7);
                put(tar, path, plain);
                layers.add(path);
            }
            put(tar, "blobs/sha256/" + img.imageId().substring(7), img.config().bytes());
            var entry = JSON.createObjectNode();
            entry.put("Config", "blobs/sha256/" + img.imageId().substring(7));
            entry.putArray("RepoTags").add("dockerish:3.19");
            entry.set("Layers", layers);
            put(tar, "manifest.json", JSON.writeValueAsBytes(JSON.createArrayNode().add(entry)));
            put(tar, "repositories", "{\"dockerish\":{\"3.19\":\"x\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        env.user().chown(archive);
        Result load = env.ok("load", "-i", archive.toString());
        assertEquals("Loaded image: docker.io/library/dockerish:3.19", load.stdout().strip(), load::toString);
        Result images = env.ok("images", "--no-trunc");
        assertTrue(images.stdout().lines().anyMatch(l -> l.contains("docker.io/library/dockerish") && l.contains(img.imageId())),
                images::toString);
        assertEquals("docker\n", env.ok("run", "--rm", "dockerish:3.19", "cat", "/f").stdout());
    }

    private static void put(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, String name, byte[] bytes)
            throws IOException {
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static JsonNode readTree(Result r) {
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError("not JSON" + r, e);
        }
    }
}
