package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loopback registry that answered only plain HTTP is remembered, so the next client skips the HTTPS attempt (and
 * the TLS set-up it costs). A front door in the test counts connections that open with a TLS record (byte 0x16) and
 * forwards the others to a plain JDK HTTP server.
 */
class PlainHttpMemoryTest {
    private static final byte[] BLOB = "layer bytes".getBytes(StandardCharsets.UTF_8);
    private static final String DIGEST = Digests.sha256(BLOB);
    private final AtomicInteger tlsAttempts = new AtomicInteger();
    private HttpServer registry;
    private ServerSocket front;
    private Thread acceptor;
    @TempDir
    Path runRoot;

    @BeforeEach
    void start() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        registry = HttpServer.create(new InetSocketAddress(lo, 0), 0);
        registry.createContext("/v2/", ex -> {
            ex.sendResponseHeaders(200, BLOB.length);
            ex.getResponseBody().write(BLOB);
            ex.close();
        });
        registry.start();
        front = new ServerSocket(0, 50, lo);
        acceptor = new Thread(this::acceptLoop, "front-door");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        front.close();
        registry.stop(0);
    }

    private void acceptLoop() {
        while (!front.isClosed()) {
            try {
                Socket s = front.accept();
                Thread t = new Thread(() -> serve(s), "front-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            int first = in.read();
            if (first == 0x16) {
                tlsAttempts.incrementAndGet();
                return; // a plain server cannot answer a ClientHello: the client sees a TLS failure
            }
            if (first < 0) {
                return;
            }
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), registry.getAddress().getPort())) {
                OutputStream up = upstream.getOutputStream();
                up.write(first);
                Thread pump = new Thread(() -> {
                    try {
                        upstream.getInputStream().transferTo(client.getOutputStream());
                    } catch (IOException ignored) {
                        // connection ended
                    }
                }, "front-pump");
                pump.setDaemon(true);
                pump.start();
                in.transferTo(up);
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private byte[] fetch(PlainHttpRegistries memory) throws IOException {
        ImageReference ref = ImageReference.parse("127.0.0.1:" + front.getLocalPort() + "/repo");
        try (RegistryClient client = new RegistryClient(ref, true, (Credentials) null, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 10).rememberingPlainHttp(memory);
             InputStream in = client.openBlob(DIGEST, BLOB.length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void secondClientGoesStraightToPlainHttp() throws IOException {
        PlainHttpRegistries memory = PlainHttpRegistries.in(runRoot.resolve("plain-http"));
        assertArrayEquals(BLOB, fetch(memory));
        int first = tlsAttempts.get();
        assertTrue(first >= 1, "the first client tries HTTPS, then falls back"); // the JDK client may retry the handshake once
        assertTrue(Files.exists(runRoot.resolve("plain-http/127.0.0.1_" + front.getLocalPort())));

        assertArrayEquals(BLOB, fetch(memory));
        assertEquals(first, tlsAttempts.get(), "the second client must not try HTTPS again");
    }

    @Test
    void withoutMemoryEveryClientTriesHttpsFirst() throws IOException {
        assertArrayEquals(BLOB, fetch(null));
        int first = tlsAttempts.get();
        assertTrue(first >= 1);
        assertArrayEquals(BLOB, fetch(null));
        assertTrue(tlsAttempts.get() > first, "without a memory the second client tries HTTPS again");
    }

    @Test
    void aRememberedRegistryThatIsGoneIsForgotten() throws IOException {
        PlainHttpRegistries memory = PlainHttpRegistries.in(runRoot.resolve("plain-http"));
        assertArrayEquals(BLOB, fetch(memory));
        Path marker = runRoot.resolve("plain-http/127.0.0.1_" + front.getLocalPort());
        assertTrue(Files.exists(marker));
        front.close();
        assertThrows(RuntimeException.class, () -> fetch(memory));
        assertFalse(Files.exists(marker), "a failed plain-HTTP start must drop the memory");
    }
}
