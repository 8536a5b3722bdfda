package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthStoreTest {
    @TempDir
    Path dir;

    private static String auth(String user, String pass) {
        return Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, String> env() {
        return Map.of("HOME", dir.resolve("home").toString(), "XDG_RUNTIME_DIR", dir.resolve("run").toString());
    }

    @Test
    void searchOrderAndKeys() throws IOException {
        Map<String, String> env = env();
        assertEquals(List.of(dir.resolve("run/containers/auth.json"), dir.resolve("home/.config/containers/auth.json"),
                dir.resolve("home/.docker/config.json")), AuthStore.of(env, null).files());
        assertEquals(List.of(Path.of("/x.json")), AuthStore.of(env, "/x.json").files());
        assertEquals(List.of("quay.io/a/b", "quay.io/a", "quay.io"), AuthStore.candidateKeys(ImageReference.parse("quay.io/a/b:1")));
        assertEquals("index.docker.io", AuthStore.normaliseKey("https://index.docker.io/v1/"));
        assertEquals("reg:5000/ns", AuthStore.normaliseKey("reg:5000/ns/"));

        Files.createDirectories(dir.resolve("home/.docker"));
        Files.writeString(dir.resolve("home/.docker/config.json"), "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
                + auth("hub", "h") + "\"},\"quay.io\":{\"auth\":\"" + auth("docker", "d") + "\"}}}");
        AuthStore store = AuthStore.of(env, null);
        assertEquals("hub", store.find(ImageReference.parse("alpine")).username());
        assertEquals("docker", store.find(ImageReference.parse("quay.io/a/b")).username());
        assertNull(store.find(ImageReference.parse("ghcr.io/a/b")));

        // podman's files win over docker's; the most specific key wins within a file
        Path podman = dir.resolve("run/containers/auth.json");
        AuthStore.store(podman, "quay.io", new Credentials("podman", "p"));
        AuthStore.store(podman, "quay.io/a", new Credentials("namespaced", "n:with:colons"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(podman)));
        assertEquals(new Credentials("namespaced", "n:with:colons"), store.find(ImageReference.parse("quay.io/a/b")));
        assertEquals("podman", store.find(ImageReference.parse("quay.io/other")).username());

        assertTrue(AuthStore.remove(podman, "quay.io/a"));
        assertFalse(AuthStore.remove(podman, "quay.io/a"));
        assertEquals("podman", store.find(ImageReference.parse("quay.io/a/b")).username());
        assertTrue(AuthStore.remove(podman, null));
        assertEquals("docker", store.find(ImageReference.parse("quay.io/a/b")).username());
    }

    @Test
    void brokenFilesAreReportedWithTheirPath() throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"auths\":{\"r.io\":{\"auth\":\"%%%\"}}}");
        ImageException e = assertThrows(ImageException.class, () -> AuthStore.of(env(), f.toString()).find(ImageReference.parse("r.io/x")));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        Files.writeString(f, "{not json");
        e = assertThrows(ImageException.class, () -> AuthStore.of(env(), f.toString()).find(ImageReference.parse("r.io/x")));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
