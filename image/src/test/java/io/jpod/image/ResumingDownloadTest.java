package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The blob path of RegistryClient against a real HTTP server on 127.0.0.1 that breaks its responses in the middle.
 * It also exercises the loopback HTTPS→HTTP fallback (the JDK server does not speak TLS).
 */
class ResumingDownloadTest {
    enum Behaviour { CUT_THEN_RANGE, CUT_THEN_IGNORE_RANGE, STALL_THEN_RANGE, ALWAYS_CUT, GONE }

    private static final int SIZE = 1 << 20;
    private static final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private static final Map<String, byte[]> contents = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
    private static final Map<String, List<String>> ranges = new ConcurrentHashMap<>();
    private static final CountDownLatch releaseStalled = new CountDownLatch(1);
    private static HttpServer server;
    private static ExecutorService serverThreads;
    private static RegistryClient client;

    private static String blob(Behaviour b, long seed) {
        byte[] data = new byte[SIZE];
        new Random(seed).nextBytes(data);
        String digest = Digests.sha256(data);
        behaviours.put(digest, b);
        contents.put(digest, data);
        requestCounts.put(digest, new AtomicInteger());
        ranges.put(digest, new CopyOnWriteArrayList<>());
        return digest;
    }

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/v2/test/blobs/", ResumingDownloadTest::handle);
        server.start();
        String registry = "127.0.0.1:" + server.getAddress().getPort();
        client = new RegistryClient(ImageReference.parse(registry + "/test"), true, (Credentials) null,
                Duration.ofMillis(1000), Duration.ofSeconds(10), Duration.ofMillis(300), 10);
    }

    @AfterAll
    static void stop() {
        releaseStalled.countDown();
        if (client != null) {
            client.close();
        }
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private static void handle(HttpExchange ex) throws IOException {
        String digest = ex.getRequestURI().getPath().substring("/v2/test/blobs/".length());
        Behaviour b = behaviours.get(digest);
        if (b == null || b == Behaviour.GONE) {
            byte[] body = "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(404, body.length);
            ex.getResponseBody().write(body);
            ex.close();
            return;
        }
        byte[] data = contents.get(digest);
        int n = requestCounts.get(digest).incrementAndGet();
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.get(digest).add(range == null ? "none" : range);
        int start = 0;
        if (range != null && b != Behaviour.CUT_THEN_IGNORE_RANGE) {
            start = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
            ex.sendResponseHeaders(206, data.length - start);
        } else {
            ex.sendResponseHeaders(200, data.length);
        }
        OutputStream out = ex.getResponseBody();
        boolean cut = n == 1 || b == Behaviour.ALWAYS_CUT;
        if (!cut) {
            out.write(data, start, data.length - start);
            ex.close();
            return;
        }
        int half = (data.length - start) / 2;
        out.write(data, start, half);
        out.flush();
        if (b == Behaviour.STALL_THEN_RANGE) {
            try {
                releaseStalled.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // An exception out of a handler makes the JDK server drop the connection: the client sees a truncated body.
        throw new IOException("cutting the connection on purpose");
    }

    private static byte[] readVerified(String digest) throws IOException {
        try (InputStream raw = client.openBlob(digest, SIZE);
             DigestVerifyingInputStream in = new DigestVerifyingInputStream(raw, digest, SIZE)) {
            byte[] got = in.readAllBytes();
            assertTrue(in.verified());
            assertEquals(1, ((ResumingInputStream) raw).resumes());
            return got;
        }
    }

    @Test
    void resumesWithRangeAfterACut() throws IOException {
        String d = blob(Behaviour.CUT_THEN_RANGE, 1);
        assertArrayEquals(contents.get(d), readVerified(d));
        List<String> r = ranges.get(d);
        assertEquals(2, r.size());
        assertEquals("none", r.get(0));
        long from = Long.parseLong(r.get(1).substring("bytes=".length(), r.get(1).length() - 1));
        assertTrue(from > 0 && from <= SIZE / 2, r.toString());
        assertTrue(client.usingPlainHttp());
    }

    @Test
    void restartsFromScratchWhenTheServerIgnoresRange() throws IOException {
        String d = blob(Behaviour.CUT_THEN_IGNORE_RANGE, 2);
        assertArrayEquals(contents.get(d), readVerified(d));
        assertEquals(2, requestCounts.get(d).get());
        assertTrue(ranges.get(d).get(1).startsWith("bytes="));
    }

    @Test
    void resumesAStalledTransfer() throws IOException {
        String d = blob(Behaviour.STALL_THEN_RANGE, 3);
        assertArrayEquals(contents.get(d), readVerified(d));
        assertEquals(2, requestCounts.get(d).get());
    }

    @Test
    void givesUpAfterThreeResumptions() {
        String d = blob(Behaviour.ALWAYS_CUT, 4);
        InputStream in = client.openBlob(d, SIZE);
        IOException e = assertThrows(IOException.class, in::readAllBytes);
        assertTrue(e.getMessage().contains("after 3 resumptions"), e.getMessage());
        assertEquals(1 + RegistryClient.MAX_RESUMES, requestCounts.get(d).get());
        ImageException mapped = client.mapIo(e, "downloading blob " + d);
        assertTrue(mapped.getMessage().startsWith("downloading blob " + d + ": registry 127.0.0.1:"), mapped.getMessage());
    }

    @Test
    void unknownBlobIsACleanError() {
        String d = blob(Behaviour.GONE, 5);
        ImageException e = assertThrows(ImageException.class, () -> client.openBlob(d, SIZE));
        assertTrue(e.getMessage().startsWith("blob " + d + " not found in registry 127.0.0.1:"), e.getMessage());
    }

    @Test
    void smallBlobIsVerified() {
        String d = blob(Behaviour.CUT_THEN_RANGE, 6);
        assertArrayEquals(contents.get(d), client.blob(d, SIZE, 2 * SIZE));
        ImageException tooBig = assertThrows(ImageException.class, () -> client.blob(d, SIZE, 1000));
        assertTrue(tooBig.getMessage().contains("more than the 1000 bytes allowed"));
        // the wrong size makes verification fail with a one-line message
        String d2 = blob(Behaviour.CUT_THEN_RANGE, 7);
        ImageException wrong = assertThrows(ImageException.class, () -> client.blob(d2, SIZE - 1, 2 * SIZE));
        assertInstanceOf(ImageException.class, wrong);
        assertTrue(wrong.getMessage().contains("the registry sent corrupt data"), wrong.getMessage());
    }

    @Test
    void contentRangeParsing() {
        assertEquals(100, RegistryClient.contentRangeStart("bytes 100-999/1000"));
        assertEquals(0, RegistryClient.contentRangeStart("bytes 0-9/*"));
        assertEquals(-1, RegistryClient.contentRangeStart("items 1-2/3"));
        assertEquals(-1, RegistryClient.contentRangeStart(null));
        assertEquals(-1, RegistryClient.contentRangeStart("bytes x-9/10"));
    }

    @Test
    void loopbackDetection() {
        assertTrue(RegistryClient.isLoopback("localhost"));
        assertTrue(RegistryClient.isLoopback("localhost:5000"));
        assertTrue(RegistryClient.isLoopback("127.0.0.1"));
        assertTrue(RegistryClient.isLoopback("127.1.2.3:80"));
        assertTrue(RegistryClient.isLoopback("[::1]:5000"));
        assertTrue(RegistryClient.isLoopback("[0:0:0:0:0:0:0:1]"));
        assertTrue(!RegistryClient.isLoopback("128.0.0.1"));
        assertTrue(!RegistryClient.isLoopback("localhost.example.com"));
        assertTrue(!RegistryClient.isLoopback("docker.io"));
        assertTrue(!RegistryClient.isLoopback("[::2]:5000"));
    }
}
