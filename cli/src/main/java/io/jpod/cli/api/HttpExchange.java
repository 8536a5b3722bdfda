package io.jpod.cli.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request and its response on a connection: a whole JSON or empty response with its length, a streamed
 * (chunked) body, or the connection taken over after a {@code 101 UPGRADED} (docker's hijack; without
 * {@code Upgrade}, a 200 whose body runs until the connection closes). Every response carries docker's
 * {@code Api-Version}, {@code Ostype} and {@code Server} headers.
 */
final class HttpExchange {
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    static final String API_VERSION = "1.44";
    static final String MIN_API_VERSION = "1.24";

    final HttpRequest request;
    private final InputStream in;
    private final OutputStream out;
    private final Map<String, String> extra = new LinkedHashMap<>();
    private boolean sent;
    private boolean keepAlive;
    private boolean hijacked;

    HttpExchange(HttpRequest request, InputStream in, OutputStream out) {
        this.request = request;
        this.in = in;
        this.out = out;
        this.keepAlive = request.keepAlive();
    }

    boolean sent() {
        return sent;
    }

    /** Whether the connection can carry another request after this one. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the connection was taken over (it ends with the stream: see {@link ApiServer}). */
    boolean hijacked() {
        return hijacked;
    }

    /** The response says "Connection: close": the connection ends after it. */
    void closeAfter() {
        keepAlive = false;
    }

    void header(String name, String value) {
        extra.put(name, value);
    }

    void json(int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        bytes[bytes.length - 1] = '\n';
        whole(status, "application/json", bytes);
    }

    void text(int status, String contentType, String body) throws IOException {
        whole(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** docker's error body. */
    void error(int status, String message) throws IOException {
        json(status, Map.of("message", message));
    }

    void empty(int status) throws IOException {
        head(status, null, status == 204 || status == 304 ? -2 : 0);
        out.flush();
    }

    private void whole(int status, String contentType, byte[] body) throws IOException {
        head(status, contentType, body.length);
        if (!request.method.equals("HEAD")) {
            out.write(body);
        }
        out.flush();
    }

    /**
     * A body written as it is produced: chunked for HTTP/1.1 (the connection stays usable), else delimited by
     * closing the connection. The headers are sent at once. Close the stream to end the body.
     */
    OutputStream stream(int status, String contentType) throws IOException {
        if (request.http11) {
            head(status, contentType, -1);
            out.flush();
            return new HttpBodies.ChunkedOutput(out);
        }
        keepAlive = false;
        head(status, contentType, -3);
        out.flush();
        return new NonClosing(out);
    }

    /**
     * Takes the connection over for a raw byte stream both ways (attach, exec start): {@code 101 UPGRADED} when
     * the client asked for {@code Upgrade: tcp}, else a 200 whose body ends when the connection closes. After
     * this the connection carries no further request.
     */
    OutputStream hijack(String contentType) throws IOException {
        keepAlive = false;
        hijacked = true;
        if (request.upgrade()) {
            extra.put("Connection", "Upgrade");
            extra.put("Upgrade", "tcp");
            head(101, contentType, -2);
        } else {
            head(200, contentType, -3);
        }
        out.flush();
        return new NonClosing(out);
    }

    /** The connection's input after the request head (for a hijacked stream's stdin). */
    InputStream rawInput() {
        return in;
    }

    /**
     * @param length the Content-Length; -1: chunked; -2: no body and no length (101, 204, 304); -3: no length,
     *               the body ends with the connection
     */
    private void head(int status, String contentType, long length) throws IOException {
        if (sent) {
            throw new IllegalStateException("response already started");
        }
        sent = true;
        StringBuilder h = new StringBuilder();
        h.append(request.http11 ? "HTTP/1.1 " : "HTTP/1.0 ").append(status).append(' ').append(reason(status)).append("\r\n");
        h.append("Api-Version: ").append(API_VERSION).append("\r\n");
        h.append("Docker-Experimental: false\r\n");
        h.append("Ostype: linux\r\n");
        h.append("Server: jpod (linux)\r\n");
        h.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        if (contentType != null) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (length >= 0) {
            h.append("Content-Length: ").append(length).append("\r\n");
        } else if (length == -1) {
            h.append("Transfer-Encoding: chunked\r\n");
        } else if (length == -3) {
            keepAlive = false;
        }
        extra.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        if (!extra.containsKey("Connection")) {
            if (!keepAlive) {
                h.append("Connection: close\r\n");
            } else if (!request.http11) {
                h.append("Connection: keep-alive\r\n");
            }
        }
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static String reason(int status) {
        return switch (status) {
            case 101 -> "UPGRADED";
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            default -> "Status";
        };
    }

    /** The connection's stream, which the handler may "close" without closing the connection. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
