package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The registry fixture and the pusher, against a real docker-registry: what jpod's puller will see. */
class LocalRegistryTest {

    private static LocalRegistry registry;

    @BeforeAll
    static void startRegistry() {
        registry = LocalRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void listensOnLoopbackOnly() {
        assertTrue(registry.hostPort().startsWith("127.0.0.1:"), registry.hostPort());
        assertEquals(200, registry.client().ping());
    }

    @ParameterizedTest
    @EnumSource(OciImageBuilder.Format.class)
    void pushedManifestRoundTrips(OciImageBuilder.Format format) throws Exception {
        BuiltImage image = TestImage.busybox().format(format).build();
        String repo = "library/alpine-" + format.name().toLowerCase().replace('_', '-');

        String digest = registry.push(image, repo, "latest");

        assertEquals(image.manifestDigest(), digest);
        RegistryClient.Response byTag = registry.client().getManifest(repo, "latest");
        assertEquals(200, byTag.status(), byTag.text());
        assertArrayEquals(image.manifest().bytes(), byTag.body(), "manifest bytes must come back unchanged");
        assertEquals(digest, byTag.digest().orElse("(no Docker-Content-Digest)"));
        assertEquals(Blob.sha256(byTag.body()), digest);
        assertEquals(format.manifestType, byTag.contentType().orElse(""));

        RegistryClient.Response byDigest = registry.client().getManifest(repo, digest);
        assertEquals(200, byDigest.status(), byDigest.text());
        assertArrayEquals(image.manifest().bytes(), byDigest.body());

        JsonNode manifest = new ObjectMapper().readTree(byTag.body());
        String configDigest = manifest.path("config").path("digest").asText();
        assertEquals(image.imageId(), configDigest);
        RegistryClient.Response config = registry.client().getBlob(repo, configDigest);
        assertEquals(200, config.status());
        assertEquals(configDigest, Blob.sha256(config.body()));
        String layerDigest = manifest.path("layers").path(0).path("digest").asText();
        RegistryClient.Response layer = registry.client().getBlob(repo, layerDigest);
        assertEquals(200, layer.status());
        assertEquals(layerDigest, Blob.sha256(layer.body()));
    }

    @Test
    void pushingTheSameImageTwiceKeepsTheDigest() {
        BuiltImage image = TestImage.busybox().build();
        String first = registry.push(image, "library/twice", "latest");
        String second = registry.push(TestImage.busybox().build(), "library/twice", "latest");
        assertEquals(first, second);
    }

    @Test
    void unknownRepositoryIs404() {
        assertEquals(404, registry.client().getManifest("library/nope", "latest").status());
    }
}
