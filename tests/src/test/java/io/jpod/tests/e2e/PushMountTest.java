package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TcpProxy;
import io.jpod.tests.support.TestImage;
import io.jpod.tests.support.TokenServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Push mounts blobs across repositories of the same registry instead of uploading them (seen through a counting proxy). */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PushMountTest {
    private static final Duration T = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static TcpProxy proxy;

    @BeforeAll
    static void setUp() {
        proxy = TcpProxy.start(registry.port());
    }

    @AfterAll
    static void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** Requests that carry blob bytes: the PUT/PATCH of an upload session. */
    private static List<TcpProxy.Request> uploads() {
        return proxy.requests().stream()
                .filter(r -> (r.method().equals("PUT") || r.method().equals("PATCH")) && r.path().contains("/blobs/uploads/"))
                .toList();
    }

    private static List<TcpProxy.Request> mounts(String from) {
        return proxy.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().contains("mount=sha256") && r.path().contains("from=" + from))
                .toList();
    }

    @Test
    void pushToAnotherRepositoryOfTheSameRegistryMountsInsteadOfUploading() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "mounted\n", 0644).build();
        registry.push(img, "mount/a", "1");
        String source = proxy.hostPort() + "/mount/a:1";
        env.ok("pull", "-q", source);

        proxy.clear();
        String dest = proxy.hostPort() + "/mount/b:2";
        Path digestFile = env.home().resolve("digest-b");
        Result push = env.ok("push", "--digestfile", digestFile.toString(), source, dest);
        assertEquals(List.of(), uploads(), () -> "no blob bytes may be uploaded: " + proxy.describe());
        assertEquals(img.layers().size() + 1, mounts("mount%2Fa").size(), () -> "every layer and the config mounted: " + proxy.describe());
        assertEquals(img.layers().size(), push.stderr().lines().filter(l -> l.startsWith("Copying blob") && l.contains("mounted from mount/a"))
                .count(), push::toString);
        assertEquals(img.manifestDigest(), Files.readString(digestFile).strip());

        // a push records where the blobs went: the next push to a third repository mounts from there
        proxy.clear();
        env.ok("push", source, proxy.hostPort() + "/mount/c:3");
        assertEquals(List.of(), uploads(), () -> "no blob bytes may be uploaded: " + proxy.describe());
        assertEquals(img.layers().size() + 1, mounts("mount%2Fb").size(), () -> "mounted from the last pushed repository: " + proxy.describe());

        // what was mounted pulls back with the same digest and id
        env.ok("rmi", source);
        for (String repo : List.of("mount/b:2", "mount/c:3")) {
            Result pulled = env.ok("pull", "-q", proxy.hostPort() + "/" + repo);
            assertEquals(img.imageId().substring(7), pulled.stdout().strip(), pulled::toString);
            Result digests = env.ok("images", "--digests", "--no-trunc");
            assertTrue(digests.stdout().contains(img.manifestDigest()), digests::toString);
            assertEquals("mounted\n", env.ok("run", "--rm", proxy.hostPort() + "/" + repo, "cat", "/f").stdout());
        }
    }

    @Test
    void aRefusedMountFallsBackToTheUploadTheRegistryOpened() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "fallback\n", 0644).build();
        BuiltImage other = TestImage.busybox().file("f", "unrelated\n", 0644).build();
        registry.push(other, "mount/ghost", "1");
        // a stale hint: jpod believes the blobs are in mount/ghost, which never had them, so the mount answers 202
        registry.push(img, "mount/src", "1");
        String source = proxy.hostPort() + "/mount/src:1";
        env.ok("pull", "-q", source);
        env.ok("tag", source, "localhost/fallback:1");
        env.ok("untag", img.imageId().substring(7));
        env.ok("tag", img.imageId().substring(7), "localhost/fallback:1");
        Path locations = env.storageRoot().resolve("blobs/locations");
        Files.createDirectories(locations);
        env.user().chown(locations);
        for (var blob : img.blobs()) {
            Path hint = locations.resolve(blob.digest().substring(7));
            Files.writeString(hint, "[\"" + proxy.hostPort() + "/mount/ghost\"]");
            env.user().chown(hint);
        }
        proxy.clear();
        Result push = env.ok("push", "localhost/fallback:1", proxy.hostPort() + "/mount/dst:1");
        assertTrue(mounts("mount%2Fghost").size() >= 1, () -> proxy.describe().toString());
        assertTrue(uploads().size() >= 1, () -> "expected an upload after the refused mount: " + proxy.describe());
        env.ok("rmi", "localhost/fallback:1");
        Result pulled = env.ok("pull", "-q", proxy.hostPort() + "/mount/dst:1");
        assertEquals(img.imageId().substring(7), pulled.stdout().strip(), () -> pulled + "\n" + push);
        assertEquals("fallback\n", env.ok("run", "--rm", proxy.hostPort() + "/mount/dst:1", "cat", "/f").stdout());
    }

    @Test
    void withTokenAuthTheMountAsksForPullOnTheSourceRepositoryToo() {
        BuiltImage img = TestImage.busybox().file("f", "token mount\n", 0644).build();
        registry.push(img, "tok/a", "1");
        try (TokenServer tokens = TokenServer.start("heidi", "t0k");
             LocalRegistry secured = LocalRegistry.sharing(registry, tokens.registryConfig());
             TcpProxy front = TcpProxy.start(secured.port())) {
            String source = front.hostPort() + "/tok/a:1";
            env.ok("pull", "-q", "--creds", "heidi:t0k", source);
            front.clear();
            env.ok("push", "--creds", "heidi:t0k", source, front.hostPort() + "/tok/b:1");
            List<TcpProxy.Request> sent = front.requests().stream()
                    .filter(r -> (r.method().equals("PUT") || r.method().equals("PATCH")) && r.path().contains("/blobs/uploads/")).toList();
            assertEquals(List.of(), sent, () -> "no blob bytes may be uploaded: " + front.describe());
            assertTrue(tokens.scopes().contains("repository:tok/b:pull,push repository:tok/a:pull"), () -> "scopes: " + tokens.scopes());
            env.ok("rmi", source);
            Result pulled = env.ok("pull", "-q", "--creds", "heidi:t0k", front.hostPort() + "/tok/b:1");
            assertEquals(img.imageId().substring(7), pulled.stdout().strip(), pulled::toString);
        }
    }
}
