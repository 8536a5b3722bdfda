package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class OciImageBuilderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void buildIsDeterministic() {
        BuiltImage a = TestImage.busybox().build();
        BuiltImage b = TestImage.busybox().build();
        assertEquals(a.imageId(), b.imageId());
        assertEquals(a.manifestDigest(), b.manifestDigest());
        assertEquals(a.layers().get(0).digest(), b.layers().get(0).digest());
    }

    @Test
    void configChangesTheImageId() {
        assertNotEquals(TestImage.busybox().build().imageId(), TestImage.busybox().cmd("true").build().imageId());
    }

    @Test
    void baseLayerHasBusyboxAppletsAndEtc() throws IOException {
        BuiltImage image = TestImage.busybox().build();
        byte[] gz = image.layers().get(0).bytes();
        Map<String, TarArchiveEntry> entries = new HashMap<>();
        Map<String, byte[]> contents = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(gz)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries.put(e.getName(), e);
                if (e.isFile()) {
                    contents.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        // diff_id is the digest of the uncompressed tar.
        byte[] tarBytes = new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
        assertEquals(image.diffIds().get(0), Blob.sha256(tarBytes));

        TarArchiveEntry busybox = entries.get("bin/busybox");
        assertTrue(busybox.isFile());
        assertEquals(0755, busybox.getMode() & 07777);
        assertEquals(0, busybox.getLongUserId());
        assertEquals(Files.size(TestImage.HOST_BUSYBOX), busybox.getSize());
        for (String applet : TestImage.REQUIRED_APPLETS) {
            TarArchiveEntry link = entries.get("bin/" + applet);
            assertTrue(link != null && link.isSymbolicLink(), "bin/" + applet);
            assertEquals("busybox", link.getLinkName());
        }
        assertFalse(entries.containsKey("bin/busybox/"), "busybox itself is not a link");
        assertEquals(01777, entries.get("tmp/").getMode() & 07777);
        assertTrue(entries.get("proc/").isDirectory());
        assertEquals(1000, entries.get("home/app/").getLongUserId());
        String passwd = new String(contents.get("etc/passwd"));
        assertTrue(passwd.startsWith("root:x:0:0:root:/root:/bin/sh\n"), passwd);
        assertTrue(passwd.contains("\napp:x:1000:1000:"), passwd);
        assertEquals(LayerBuilder.MTIME.getEpochSecond(), busybox.getLastModifiedDate().toInstant().getEpochSecond());
    }

    @Test
    void configAndManifestFields() throws IOException {
        BuiltImage image = TestImage.busybox()
                .layer(l -> l.file("srv/hello.txt", "hi\n"))
                .entrypoint("/bin/sh", "-c").cmd("echo hi").workingDir("/srv").user("1000:1000")
                .addEnv("FOO", "bar").format(OciImageBuilder.Format.OCI).build();
        JsonNode config = JSON.readTree(image.config().bytes());
        assertEquals("linux", config.path("os").asText());
        assertEquals(OciImageBuilder.hostArchitecture(), config.path("architecture").asText());
        JsonNode c = config.path("config");
        assertEquals(List.of("/bin/sh", "-c"), strings(c.path("Entrypoint")));
        assertEquals(List.of("echo hi"), strings(c.path("Cmd")));
        assertEquals("/srv", c.path("WorkingDir").asText());
        assertEquals("1000:1000", c.path("User").asText());
        assertEquals(List.of(OciImageBuilder.DEFAULT_PATH, "FOO=bar"), strings(c.path("Env")));
        assertEquals(image.diffIds(), strings(config.path("rootfs").path("diff_ids")));
        assertEquals(2, config.path("history").size());

        JsonNode manifest = JSON.readTree(image.manifest().bytes());
        assertEquals(2, manifest.path("schemaVersion").asInt());
        assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.path("mediaType").asText());
        assertEquals("application/vnd.oci.image.config.v1+json", manifest.path("config").path("mediaType").asText());
        assertEquals(image.imageId(), manifest.path("config").path("digest").asText());
        assertEquals(image.config().size(), manifest.path("config").path("size").asLong());
        assertEquals(2, manifest.path("layers").size());
        assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", manifest.path("layers").path(1).path("mediaType").asText());
    }

    @Test
    void missingParentsAreAddedAndWhiteoutsNamed() throws IOException {
        byte[] tar = new LayerBuilder().file("a/b/c.txt", "x").whiteout("etc/motd").opaque("var/cache").tar();
        List<String> names = new java.util.ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        assertEquals(List.of("a/", "a/b/", "a/b/c.txt", "etc/", "etc/.wh.motd", "var/", "var/cache/", "var/cache/.wh..wh..opq"), names);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
