package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Blob redirects are followed by hand: the Authorization header goes to the registry's origin only, never to the
 * host a blob is redirected to (object stores and CDNs get pre-signed URLs, not the user's credentials).
 * Two JDK HTTP servers on 127.0.0.1 stand for the registry origin and the storage origin.
 */
class RedirectAuthTest {
    private static final byte[] BLOB = "layer bytes".getBytes(StandardCharsets.UTF_8);
    private static final String DIGEST = Digests.sha256(BLOB);
    private final List<String> storageAuth = new CopyOnWriteArrayList<>();
    private final List<String> registryAuth = new CopyOnWriteArrayList<>();
    private HttpServer registry;
    private HttpServer storage;

    @BeforeEach
    void start() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        storage = HttpServer.create(new InetSocketAddress(lo, 0), 0);
        storage.createContext("/signed/", ex -> {
            storageAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            ex.sendResponseHeaders(200, BLOB.length);
            ex.getResponseBody().write(BLOB);
            ex.close();
        });
        storage.start();
        registry = HttpServer.create(new InetSocketAddress(lo, 0), 0);
        registry.createContext("/v2/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            registryAuth.add(String.valueOf(auth));
            if (auth == null) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
                ex.sendResponseHeaders(401, -1);
            } else {
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + storage.getAddress().getPort() + "/signed/blob?sig=abc");
                ex.sendResponseHeaders(307, -1);
            }
            ex.close();
        });
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.stop(0);
        storage.stop(0);
    }

    @Test
    void authorizationStaysWithTheRegistry() throws IOException {
        Credentials creds = new Credentials("user", "pw");
        ImageReference ref = ImageReference.parse("127.0.0.1:" + registry.getAddress().getPort() + "/repo");
        try (RegistryClient client = new RegistryClient(ref, true, creds, Duration.ofMillis(1000), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 10);
             InputStream in = client.openBlob(DIGEST, BLOB.length)) {
            assertArrayEquals(BLOB, in.readAllBytes());
        }
        assertEquals(List.of("null", creds.basicAuthorization()), registryAuth);
        assertEquals(List.of("null"), storageAuth);
    }
}
