package io.jpod.cli.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One parsed HTTP/1.x request: the request line and headers, read with size limits (a request line of at most
 * {@value #MAX_LINE} bytes, at most {@value #MAX_HEADERS} headers of {@value #MAX_HEADER_BYTES} bytes in all), and
 * its body as a stream bounded by {@code Content-Length} or decoded from chunks. Anything malformed is an
 * {@link HttpError} 400 (431 for headers too large, 414 for a request line too long); the connection is closed
 * after one.
 */
final class HttpRequest {
    static final int MAX_LINE = 8192;
    static final int MAX_HEADERS = 100;
    static final int MAX_HEADER_BYTES = 64 * 1024;

    final String method;
    final String path;
    final Map<String, List<String>> query;
    final boolean http11;
    private final Map<String, String> headers;
    final InputStream body;

    private HttpRequest(String method, String path, Map<String, List<String>> query, boolean http11,
                        Map<String, String> headers, InputStream body) {
        this.method = method;
        this.path = path;
        this.query = query;
        this.http11 = http11;
        this.headers = headers;
        this.body = body;
    }

    /** The next request on the connection, or null at a clean end of the connection before a request. */
    static HttpRequest read(InputStream in) throws IOException {
        String line = readLine(in, MAX_LINE, true);
        while (line != null && line.isEmpty()) { // RFC 9112: a server may ignore empty lines before the request line
            line = readLine(in, MAX_LINE, true);
        }
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ", -1);
        if (parts.length != 3) {
            throw HttpError.badRequest("malformed request line: expected METHOD TARGET HTTP/1.1");
        }
        String method = parts[0];
        if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw HttpError.badRequest("malformed request line: bad method");
        }
        String version = parts[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw HttpError.badRequest("unsupported protocol version " + printable(version) + ": use HTTP/1.1");
        }
        String target = parts[1];
        if (!target.startsWith("/")) {
            throw HttpError.badRequest("malformed request target: it must start with /");
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int total = 0;
        while (true) {
            String h = readLine(in, MAX_HEADER_BYTES, false);
            if (h == null) {
                throw HttpError.badRequest("connection closed in the request headers");
            }
            if (h.isEmpty()) {
                break;
            }
            total += h.length() + 2;
            if (total > MAX_HEADER_BYTES || headers.size() >= MAX_HEADERS) {
                throw new HttpError(431, "request headers too large: at most " + MAX_HEADERS + " headers of "
                        + MAX_HEADER_BYTES + " bytes in all");
            }
            if (h.charAt(0) == ' ' || h.charAt(0) == '\t') {
                throw HttpError.badRequest("malformed header: folded header lines are not accepted");
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || !isToken(h.substring(0, colon))) {
                throw HttpError.badRequest("malformed header line: expected NAME: VALUE");
            }
            String name = h.substring(0, colon);
            String value = h.substring(colon + 1).strip();
            String old = headers.get(name);
            if (old != null && name.equalsIgnoreCase("Content-Length") && !old.equals(value)) {
                throw HttpError.badRequest("conflicting Content-Length headers");
            }
            headers.merge(name, value, (a, b) -> a.equals(b) ? a : a + ", " + b);
        }
        if (http11Host(version) && !headers.containsKey("Host")) {
            throw HttpError.badRequest("missing Host header (required by HTTP/1.1)");
        }
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        Map<String, List<String>> query = parseQuery(q < 0 ? "" : target.substring(q + 1));
        String path = decode(rawPath, false);
        return new HttpRequest(method, path, query, version.equals("HTTP/1.1"), headers, body(headers, in));
    }

    private static boolean http11Host(String version) {
        return version.equals("HTTP/1.1");
    }

    private static InputStream body(Map<String, String> headers, InputStream in) {
        String te = headers.get("Transfer-Encoding");
        String cl = headers.get("Content-Length");
        if (te != null) {
            if (cl != null) {
                throw HttpError.badRequest("both Transfer-Encoding and Content-Length given");
            }
            if (!te.equalsIgnoreCase("chunked")) {
                throw HttpError.badRequest("unsupported Transfer-Encoding " + printable(te) + ": only chunked is accepted");
            }
            return new HttpBodies.ChunkedInput(in);
        }
        if (cl != null) {
            if (cl.isEmpty() || cl.length() > 18 || !cl.chars().allMatch(Character::isDigit)) {
                throw HttpError.badRequest("malformed Content-Length " + printable(cl));
            }
            return new HttpBodies.LimitedInput(in, Long.parseLong(cl));
        }
        return InputStream.nullInputStream();
    }

    String header(String name) {
        return headers.get(name);
    }

    /** Whether the client asked to keep the connection (HTTP/1.1 unless "close"; HTTP/1.0 only with keep-alive). */
    boolean keepAlive() {
        String c = headers.getOrDefault("Connection", "").toLowerCase(Locale.ROOT);
        return http11 ? !c.contains("close") : c.contains("keep-alive");
    }

    /** Whether the client asked to take over the connection ({@code Upgrade: tcp}, docker's hijack). */
    boolean upgrade() {
        String u = headers.get("Upgrade");
        return u != null && u.equalsIgnoreCase("tcp");
    }

    String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }

    List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** A boolean query parameter as docker reads them ("1", "true", "True"; absent, "" and "0": false). */
    boolean flag(String name) {
        String v = param(name);
        if (v == null || v.isEmpty() || v.equals("0") || v.equalsIgnoreCase("false")) {
            return false;
        }
        if (v.equals("1") || v.equalsIgnoreCase("true")) {
            return true;
        }
        throw HttpError.badRequest("invalid boolean value for " + name + ": " + printable(v));
    }

    /** An integer query parameter, or {@code dflt} when absent. */
    long number(String name, long dflt) {
        String v = param(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("invalid value for " + name + ": " + printable(v) + " is not an integer");
        }
    }

    /** The whole body, at most {@code max} bytes (413 beyond). */
    byte[] bodyBytes(int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = body.read(buf)) > 0) {
            if (out.size() + n > max) {
                throw new HttpError(413, "request body too large: at most " + max + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Reads what is left of the body so that the next request on the connection can be read. */
    void drain(long max) throws IOException {
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = body.read(buf)) > 0) {
            total += n;
            if (total > max) {
                throw new IOException("unread request body too large");
            }
        }
    }

    /**
     * One line ending in CRLF (a bare LF is accepted), Latin-1, without the terminator; null at end of input
     * before any byte (when {@code eofOk}).
     */
    static String readLine(InputStream in, int max, boolean eofOk) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (sb.isEmpty() && eofOk) {
                    return null;
                }
                throw HttpError.badRequest("connection closed in the middle of a line");
            }
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            if (c == 0 || (c < 0x20 && c != '\r' && c != '\t') || c == 0x7f) {
                throw HttpError.badRequest("control character in the request head");
            }
            if (sb.length() >= max) {
                throw max == MAX_LINE ? new HttpError(414, "request line too long: at most " + MAX_LINE + " bytes")
                        : new HttpError(431, "request header line too long");
            }
            sb.append((char) c);
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static Map<String, List<String>> parseQuery(String q) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (q.isEmpty()) {
            return out;
        }
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String decode(String s, boolean plusIsSpace) {
        try {
            String t = plusIsSpace ? s : s.replace("+", "%2B");
            return URLDecoder.decode(t, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("malformed percent-encoding in the request target");
        }
    }

    /** A client-given string safe to echo in a message: bounded, control characters replaced. */
    static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return "\"" + t.replaceAll("[\\p{Cntrl}]", "?") + "\"";
    }
}
