package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
    private static final String D = "sha256:" + "a".repeat(64);

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
            // input,                                 registry,            repository,           tag,      digest
            "alpine,                                  docker.io,           library/alpine,       latest,   -",
            "alpine:3.19,                             docker.io,           library/alpine,       3.19,     -",
            "user/app,                                docker.io,           user/app,             latest,   -",
            "user/app:v1.2-rc_3,                      docker.io,           user/app,             v1.2-rc_3, -",
            "docker.io/alpine,                        docker.io,           library/alpine,       latest,   -",
            "index.docker.io/library/alpine,          docker.io,           library/alpine,       latest,   -",
            "docker.io/library/alpine:edge,           docker.io,           library/alpine,       edge,     -",
            "quay.io/podman/hello,                    quay.io,             podman/hello,         latest,   -",
            "ghcr.io/a/b/c/d:1,                       ghcr.io,             a/b/c/d,              1,        -",
            "localhost/foo,                           localhost,           foo,                  latest,   -",
            "localhost:5000/foo/bar:t,                localhost:5000,      foo/bar,              t,        -",
            "127.0.0.1:5000/busybox,                  127.0.0.1:5000,      busybox,              latest,   -",
            "[::1]:5000/busybox:1,                    [::1]:5000,          busybox,              1,        -",
            "myhost:5000/x,                           myhost:5000,         x,                    latest,   -",
            "my-registry.example.com/a.b/c__d/e-f--g, my-registry.example.com, a.b/c__d/e-f--g, latest,   -",
            "localhost:5000,                          docker.io,           library/localhost,    5000,     -",
    })
    void parsesAndNormalises(String input, String registry, String repository, String tag, String digest) {
        ImageReference r = ImageReference.parse(input);
        assertEquals(registry, r.registry());
        assertEquals(repository, r.repository());
        assertEquals(tag, r.tag());
        assertEquals(digest, r.digest());
    }

    @Test
    void digests() {
        ImageReference r = ImageReference.parse("alpine@" + D);
        assertEquals("docker.io/library/alpine", r.repositoryName());
        assertNull(r.tag());
        assertEquals(D, r.digest());
        assertEquals("docker.io/library/alpine@" + D, r.name());
        assertEquals(D, r.manifestReference());

        ImageReference both = ImageReference.parse("localhost:5000/foo:1.0@" + D);
        assertEquals("localhost:5000", both.registry());
        assertEquals("1.0", both.tag());
        assertEquals(D, both.digest());
        assertEquals("localhost:5000/foo:1.0@" + D, both.toString());
        assertEquals(D, both.manifestReference());
    }

    @Test
    void nameAndApiHost() {
        ImageReference r = ImageReference.parse("alpine");
        assertEquals("docker.io/library/alpine:latest", r.name());
        assertEquals(r.name(), r.toString());
        assertEquals("registry-1.docker.io", r.apiHost());
        assertEquals("latest", r.manifestReference());
        assertEquals("quay.io", ImageReference.parse("quay.io/a/b").apiHost());
        assertEquals("localhost:5000", ImageReference.parse("localhost:5000/a").apiHost());
        // normalised names parse to themselves
        assertEquals(r, ImageReference.parse(r.name()));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {
            "", "Alpine", "user/App", "alpine:", "alpine:-bad", "alpine:" + "x" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "alpine@sha256:abc", "alpine@md5:" + "0123456789abcdef0123456789abcdef", "alpine@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "alpine@", "a//b", "/alpine", "alpine/", "foo/-bar", "foo/bar-", "foo/b..ar", "foo/b___ar", "has space",
            "localhost:99999/x", "local_host:5000/x", "-bad.example.com/x", "[::1/x", "quay.io/", "a@b@" + "sha256:x",
            ":tag", "tab\there",
    })
    void rejectsBadReferences(String input) {
        ImageException e = assertThrows(ImageException.class, () -> ImageReference.parse(input));
        assertTrue(e.getMessage().startsWith("invalid image reference \"" + input + "\": "), e.getMessage());
        assertTrue(e.getMessage().indexOf('\n') < 0);
    }

    @Test
    void explainsWhy() {
        assertEquals("invalid image reference \"Alpine\": repository name must be lowercase",
                assertThrows(ImageException.class, () -> ImageReference.parse("Alpine")).getMessage());
        assertTrue(assertThrows(ImageException.class, () -> ImageReference.parse("a@md5:00")).getMessage()
                .endsWith("unsupported digest algorithm \"md5\" (only sha256 is supported)"));
    }

    @Test
    void longNamesRejected() {
        String longPath = "a/".repeat(130) + "a";
        assertThrows(ImageException.class, () -> ImageReference.parse("quay.io/" + longPath));
    }
}
