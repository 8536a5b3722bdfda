package io.jpod.cli.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The API's HTTP layer on a real unix socket, with endpoints that need no engine: keep-alive (several requests on
 * one connection), HEAD (headers and length, no body), chunked request bodies, pipelined requests, the version
 * prefix, and a malformed request ending only its own connection.
 */
@Timeout(60)
class HttpLayerTest {
    private Path dir;
    private ApiServer server;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("jpod-http");
        server = new ApiServer(dir.resolve("api.sock"), new DockerApi(Map.of("HOME", dir.toString(), "XDG_RUNTIME_DIR", dir.toString()),
                new PrintStream(new ByteArrayOutputStream())), new PrintStream(new ByteArrayOutputStream()), new ApiServer.Activity() {
                    @Override
                    public void begin() {
                    }

                    @Override
                    public void end() {
                    }
                });
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        Files.deleteIfExists(dir.resolve("api.sock"));
        Files.deleteIfExists(dir);
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(server.socket()));
        return ch;
    }

    private static void send(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Everything until the server closes (our side shut down first). */
    private static String readAll(SocketChannel ch) throws IOException {
        ch.shutdownOutput();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(8192);
        while (ch.read(b) >= 0) {
            out.write(b.array(), 0, b.position());
            b.clear();
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void keepAliveServesPipelinedRequestsInOrderOnOneConnection() throws IOException {
        try (SocketChannel ch = connect()) {
            send(ch, "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\nGET /v1.44/version HTTP/1.1\r\nHost: d\r\n\r\nGET /_ping HTTP/1.1\r\nHost: d\r\n\r\n");
            String all = readAll(ch);
            assertEquals(3, count(all, "HTTP/1.1 200 OK\r\n"), all);
            assertTrue(all.indexOf("\"ApiVersion\":\"1.44\"") > all.indexOf("OK"), all);
            assertTrue(all.endsWith("\r\n\r\nOK"), "the last answer is the last ping's: " + all);
        }
    }

    @Test
    void headHasTheLengthButNoBody() throws IOException {
        try (SocketChannel ch = connect()) {
            send(ch, "HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n");
            String all = readAll(ch);
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
            assertTrue(all.contains("Content-Length: 2\r\n"), all);
            assertTrue(all.contains("Api-Version: 1.44\r\n"), all);
            assertTrue(all.endsWith("\r\n\r\n"), "no body after the head: " + all);
        }
    }

    @Test
    void chunkedRequestBodyIsReadAndTheConnectionStaysUsable() throws IOException {
        try (SocketChannel ch = connect()) {
            send(ch, "POST /auth HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\n{\"use\r\n9\r\nrname\":\"\"\r\n1\r\n}\r\n0\r\nTrailer: x\r\n\r\n"
                    + "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n");
            String all = readAll(ch);
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
            assertTrue(all.contains("Login Succeeded"), all);
            assertTrue(all.endsWith("OK"), "the request after the chunked body is served: " + all);
        }
    }

    @Test
    void aMalformedRequestClosesOnlyItsConnection() throws IOException {
        try (SocketChannel bad = connect(); SocketChannel good = connect()) {
            send(bad, "POST /auth HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n");
            String answer = readAll(bad);
            assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
            assertTrue(answer.contains("Connection: close\r\n"), answer);
            assertTrue(answer.contains("{\"message\":\"malformed chunk size"), answer);
            send(good, "GET /_ping HTTP/1.0\r\n\r\n");
            String ok = readAll(good);
            assertTrue(ok.startsWith("HTTP/1.0 200 OK\r\n") && ok.endsWith("OK"), ok);
        }
    }

    @Test
    void unknownEndpointIsDockersNotFound() throws IOException {
        try (SocketChannel ch = connect()) {
            send(ch, "GET /v1.44/nothing/here HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
            String all = readAll(ch);
            assertTrue(all.startsWith("HTTP/1.1 404 Not Found\r\n"), all);
            assertTrue(all.contains("\"message\":\"page not found"), all);
        }
    }
}
