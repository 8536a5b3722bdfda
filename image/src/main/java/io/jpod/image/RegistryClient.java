package io.jpod.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Client for the OCI distribution API of one repository (one per pull), on java.net.http.
 * <ul>
 * <li>Manifests come back as raw bytes; a manifest requested by digest is verified against it.</li>
 * <li>Auth: anonymous or basic-credential bearer tokens (cached per scope for the life of the client) and HTTP basic.</li>
 * <li>Redirects are followed by hand so that the Authorization header never leaves the registry's origin
 *     (blob downloads are typically redirected to a CDN or object store).</li>
 * <li>Plain HTTP only for loopback registries or when tlsVerify is off: HTTPS is tried first and a TLS or connect
 *     failure switches this client to HTTP.</li>
 * <li>Blob downloads resume with Range requests when a connection breaks.</li>
 * </ul>
 * All failures are {@link ImageException}s with one-line messages.
 */
public final class RegistryClient implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    static final int ATTEMPTS = 3;
    static final int MAX_RESUMES = 3;
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_TOKEN_BODY = 1024 * 1024;
    private static final String USER_AGENT = "jpod/0.1";

    private final ImageReference ref;
    private final String registry;
    private final String host;
    private volatile String scope;
    private final boolean plainHttpAllowed;
    /** Looked up only when the registry asks for credentials (credential helpers are slow to load and to run). */
    private final java.util.function.Supplier<Credentials> credentialSource;
    private volatile boolean credentialsLooked;
    private volatile Credentials credentialsFound;
    private final Duration requestTimeout;
    private final long idleTimeoutMillis;
    private final long backoffMillis;
    private final Duration connectTimeout;
    private HttpClient http; // built on first use: see http()
    private final Map<String, String> authByScope = new ConcurrentHashMap<>();
    private final Object authLock = new Object();
    private volatile String scheme = "https";
    private PlainHttpRegistries plainHttpMemory;
    /** The scheme came from {@link #plainHttpMemory} and no answer has confirmed it yet. */
    private volatile boolean schemeRemembered;
    private volatile boolean schemeSettled;

    /**
     * @param ref         names the registry and repository; its tag/digest is not used
     * @param tlsVerify   false allows plain HTTP to a non-loopback registry
     * @param credentials for the registry, or null for anonymous access
     */
    public RegistryClient(ImageReference ref, boolean tlsVerify, Credentials credentials) {
        this(ref, tlsVerify, credentials, CONNECT_TIMEOUT, REQUEST_TIMEOUT, IDLE_TIMEOUT, 250);
    }

    /** @param credentials asked at most once, and only when the registry challenges for authentication; may return null */
    public RegistryClient(ImageReference ref, boolean tlsVerify, java.util.function.Supplier<Credentials> credentials) {
        this(ref, tlsVerify, credentials, CONNECT_TIMEOUT, REQUEST_TIMEOUT, IDLE_TIMEOUT, 250);
    }

    RegistryClient(ImageReference ref, boolean tlsVerify, Credentials credentials, Duration connectTimeout, Duration requestTimeout,
                   Duration idleTimeout, long backoffMillis) {
        this(ref, tlsVerify, () -> credentials, connectTimeout, requestTimeout, idleTimeout, backoffMillis);
    }

    RegistryClient(ImageReference ref, boolean tlsVerify, java.util.function.Supplier<Credentials> credentials, Duration connectTimeout,
                   Duration requestTimeout, Duration idleTimeout, long backoffMillis) {
        this.ref = ref;
        this.registry = ref.registry();
        this.host = ref.apiHost();
        this.scope = "repository:" + ref.repository() + ":pull";
        this.plainHttpAllowed = !tlsVerify || isLoopback(host);
        this.credentialSource = credentials == null ? () -> null : credentials;
        this.requestTimeout = requestTimeout;
        this.idleTimeoutMillis = idleTimeout.toMillis();
        this.backoffMillis = backoffMillis;
        this.connectTimeout = connectTimeout;
    }

    /**
     * The client, built on first use so that {@link #rememberingPlainHttp} can still choose its TLS set-up: for a
     * registry remembered as plain HTTP the TLS context is only set up if a TLS connection is made after all.
     */
    private synchronized HttpClient http() {
        if (http == null) {
            useLargeReceiveBuffers();
            HttpClient.Builder b = HttpClient.newBuilder()
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1);
            if (schemeRemembered) {
                // Null protocols and cipher suites in these parameters leave the engine's defaults in place (the
                // client adds SNI, ALPN and HTTPS host name verification itself); given, they spare the client from
                // asking the context for its defaults, which would set it up at once.
                b.sslContext(new DeferredSslContext()).sslParameters(new javax.net.ssl.SSLParameters());
            }
            http = b.build();
        }
        return http;
    }

    /**
     * The JDK client hands a body over in buffers of {@code jdk.httpclient.bufsize} (16 KiB by default), each a hand-off
     * between its selector thread and the reading thread; for blobs of many megabytes 256 KiB buffers cut that CPU
     * by a quarter of a cold pull's. The property is read once, when the client's classes initialise, so it must be
     * set before the first client is built; a value the user set wins.
     */
    private static void useLargeReceiveBuffers() {
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 * 1024));
        }
    }

    /**
     * Lets this client start in plain HTTP with a registry that answered only plain HTTP before, and remember such a
     * registry when it falls back. Only has an effect where plain HTTP is allowed (loopback, --tls-verify=false).
     */
    public RegistryClient rememberingPlainHttp(PlainHttpRegistries memory) {
        this.plainHttpMemory = memory;
        if (memory != null && plainHttpAllowed && !schemeSettled && memory.knownPlain(host)) {
            scheme = "http";
            schemeRemembered = true;
        }
        return this;
    }

    private Credentials credentials() {
        if (!credentialsLooked) {
            synchronized (this) {
                if (!credentialsLooked) {
                    credentialsFound = credentialSource.get();
                    credentialsLooked = true;
                }
            }
        }
        return credentialsFound;
    }

    /** Whether this client talks plain HTTP (after a fallback). */
    boolean usingPlainHttp() {
        return "http".equals(scheme);
    }

    // ---------------------------------------------------------------- manifests

    /**
     * GET /v2/&lt;repo&gt;/manifests/&lt;reference&gt;.
     *
     * @param reference a tag or a sha256 digest; a digest is verified against the bytes received
     */
    public FetchedManifest manifest(String reference) {
        boolean byDigest = reference.startsWith("sha256:") || reference.contains(":");
        if (byDigest && !Digests.isSha256(reference)) {
            throw new ImageException("manifest for " + ref.repositoryName() + "@" + reference + ": only sha256 digests are supported");
        }
        String image = ref.repositoryName() + (byDigest ? "@" : ":") + reference;
        String path = "/v2/" + ref.repository() + "/manifests/" + reference;
        Reply r = withRetries(() -> send(path, "Accept", MediaTypes.MANIFEST_ACCEPT));
        try {
            if (r.status() != 200) {
                throw statusError(r, image, null);
            }
            long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > ManifestParser.MAX_DOCUMENT_BYTES) {
                throw new ImageException("manifest for " + image + ": " + declared + " bytes is more than the "
                        + ManifestParser.MAX_DOCUMENT_BYTES + " bytes allowed");
            }
            byte[] body;
            try {
                body = r.body().readNBytes(ManifestParser.MAX_DOCUMENT_BYTES + 1);
            } catch (IOException e) {
                throw mapIo(e, "reading manifest for " + image);
            }
            if (body.length > ManifestParser.MAX_DOCUMENT_BYTES) {
                throw new ImageException("manifest for " + image + ": more than the " + ManifestParser.MAX_DOCUMENT_BYTES + " bytes allowed");
            }
            String computed = Digests.sha256(body);
            String headerDigest = r.headers().firstValue("Docker-Content-Digest").map(String::trim).orElse(null);
            if (byDigest) {
                if (!computed.equals(reference)) {
                    throw new ImageException("manifest for " + image + ": registry sent content with digest " + computed
                            + ", expected " + reference);
                }
            } else if (headerDigest != null && headerDigest.startsWith("sha256:") && !headerDigest.equals(computed)) {
                // For a tag the header is the registry's own statement of what it sent; disagreement means corruption.
                throw new ImageException("manifest for " + image + ": registry sent content with digest " + computed
                        + ", expected " + headerDigest);
            }
            return new FetchedManifest(body, r.headers().firstValue("Content-Type").orElse(null), computed, headerDigest);
        } finally {
            r.close();
        }
    }

    /**
     * GET /v2/ with this client's credentials, as {@code jpod login} checks them: returns when the registry accepts them,
     * throws an ImageException saying why not.
     */
    public void checkLogin() {
        Reply r = withRetries(() -> send("/v2/"));
        try {
            if (r.status() == 200) {
                return;
            }
            if (r.status() == 401 || r.status() == 403) {
                Credentials c = credentials();
                throw new ImageException("registry " + registry + " rejected the credentials"
                        + (c != null ? " of user \"" + c.username() + "\"" : "") + "; check the user name and password");
            }
            throw new ImageException("registry " + registry + " answered HTTP " + r.status() + " to GET /v2/; is it a container registry?");
        } finally {
            r.close();
        }
    }

    // ---------------------------------------------------------------- listings (search)

    /** Pages of a listing followed at most (a registry pages by 100 or 1000 names). */
    private static final int MAX_LISTING_PAGES = 100;
    private static final int MAX_LISTING_BODY = 4 * 1024 * 1024;

    /**
     * GET /v2/_catalog, following its {@code Link} pages: the registry's repositories (at most {@code max}, in the
     * registry's order). Asks for the {@code registry:catalog:*} scope, which is what a token server grants it for.
     */
    public List<String> catalog(int max) {
        scope = "registry:catalog:*";
        return texts(listing("/v2/_catalog", "repositories", max, "the catalog of registry " + registry));
    }

    /** GET /v2/&lt;repo&gt;/tags/list, following its {@code Link} pages: the repository's tags (at most {@code max}). */
    public List<String> tags(int max) {
        return texts(listing("/v2/" + ref.repository() + "/tags/list", "tags", max, "the tags of " + ref.repositoryName()));
    }

    /** One hit of Docker Hub's v1 search API (the registry v2 API has no search; Docker Hub has no catalog). */
    public record IndexSearchResult(String name, String description, int stars, boolean official, boolean automated) {
    }

    /** GET /v1/search?q=TERM&amp;n=MAX of an index (index.docker.io): its hits, at most {@code max}. */
    public List<IndexSearchResult> indexSearch(String term, int max) {
        String path = "/v1/search?q=" + URLEncoder.encode(term, StandardCharsets.UTF_8) + "&n=" + max;
        List<IndexSearchResult> out = new ArrayList<>();
        for (JsonNode n : listing(path, "results", max, "the search of " + registry)) {
            out.add(new IndexSearchResult(n.path("name").asText(""), n.path("description").asText(""), n.path("star_count").asInt(0),
                    n.path("is_official").asBoolean(false), n.path("is_automated").asBoolean(false)));
        }
        return out;
    }

    private static List<String> texts(List<JsonNode> nodes) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : nodes) {
            if (n.isTextual()) {
                out.add(n.asText());
            }
        }
        return out;
    }

    private List<JsonNode> listing(String firstPath, String field, int max, String what) {
        List<JsonNode> out = new ArrayList<>();
        String path = firstPath;
        for (int page = 0; path != null && out.size() < max && page < MAX_LISTING_PAGES; page++) {
            String current = path;
            Reply r = withRetries(() -> send(current, "Accept", "application/json"));
            try {
                if (r.status() != 200) {
                    throw listingError(r, what);
                }
                byte[] body = r.body().readNBytes(MAX_LISTING_BODY + 1);
                if (body.length > MAX_LISTING_BODY) {
                    throw new ImageException(what + ": a page of more than " + MAX_LISTING_BODY + " bytes");
                }
                JsonNode names = Json.mapper().readTree(body).path(field);
                for (JsonNode n : names) {
                    if (out.size() < max) {
                        out.add(n);
                    }
                }
                path = nextPage(r.headers().firstValue("Link").orElse(null));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new ImageException(what + ": the registry's answer is not JSON");
            } catch (IOException e) {
                throw mapIo(e, "reading " + what);
            } finally {
                r.close();
            }
        }
        return out;
    }

    /** {@code </v2/_catalog?last=x&n=100>; rel="next"} → the path and query to GET next; null when there is none. */
    static String nextPage(String link) {
        if (link == null || !link.contains("rel=\"next\"")) {
            return null;
        }
        int open = link.indexOf('<');
        int close = link.indexOf('>', open + 1);
        if (open < 0 || close < 0) {
            return null;
        }
        URI u = URI.create(link.substring(open + 1, close).trim());
        if (u.getRawPath() == null || !u.getRawPath().startsWith("/v2/")) {
            return null;
        }
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    private ImageException listingError(Reply r, String what) {
        int status = r.status();
        List<String[]> errors = registryErrors(r.drain(MAX_ERROR_BODY));
        String detail = errors.isEmpty() ? "" : ": " + errors.get(0)[1];
        return switch (status) {
            case 401 -> new ImageException(what + ": authentication required; log in with jpod login " + registry);
            case 403 -> new ImageException(what + ": access denied by registry " + registry + detail);
            case 404 -> new ImageException(what + ": not found (the registry answered HTTP 404" + detail + ")");
            default -> new ImageException(what + ": registry " + registry + " answered HTTP " + status + detail);
        };
    }

    // ---------------------------------------------------------------- push

    /** From now on ask for push access too (tokens are per scope; a pull-only token cannot upload). */
    public void forPush() {
        scope = "repository:" + ref.repository() + ":pull,push";
    }

    /** HEAD /v2/&lt;repo&gt;/blobs/&lt;digest&gt;: whether the registry has the blob already. */
    public boolean blobExists(String digest) {
        Reply r = withRetries(() -> exchange("HEAD", null, "/v2/" + ref.repository() + "/blobs/" + digest));
        try {
            if (r.status() == 200) {
                return true;
            }
            if (r.status() == 404) {
                return false;
            }
            throw statusError(r, null, digest);
        } finally {
            r.close();
        }
    }

    /** Monolithic upload: POST /blobs/uploads/ then PUT the file to the returned location with ?digest=. */
    public void uploadBlob(String digest, byte[] bytes) {
        upload(digest, () -> HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    public void uploadBlob(String digest, java.nio.file.Path file) {
        upload(digest, () -> {
            try {
                return HttpRequest.BodyPublishers.ofFile(file);
            } catch (java.io.FileNotFoundException e) {
                throw new ImageException("blob " + digest + " is missing from local storage (" + file + ")");
            }
        });
    }

    /**
     * Cross-repository mount, then the upload as a fallback: POST /blobs/uploads/?mount=&amp;from= answers 201 when the
     * registry linked the blob from {@code fromRepository} (no bytes sent), 202 with an upload session otherwise, which
     * is then used for the upload. Any other answer (e.g. no pull access to the source) falls back to a plain upload.
     *
     * @return true if the blob was mounted, false if it was uploaded
     */
    public boolean mountOrUploadBlob(String digest, java.nio.file.Path file, String fromRepository) {
        java.util.function.Supplier<HttpRequest.BodyPublisher> body = () -> {
            try {
                return HttpRequest.BodyPublishers.ofFile(file);
            } catch (java.io.FileNotFoundException e) {
                throw new ImageException("blob " + digest + " is missing from local storage (" + file + ")");
            }
        };
        String query = "?mount=" + URLEncoder.encode(digest, StandardCharsets.UTF_8) + "&from="
                + URLEncoder.encode(fromRepository, StandardCharsets.UTF_8);
        String pushScope = scope;
        scope = pushScope + " repository:" + fromRepository + ":pull"; // a token must grant pull on the source as well
        try {
            Reply start;
            try {
                start = withRetries(() -> exchange("POST", HttpRequest.BodyPublishers::noBody,
                        "/v2/" + ref.repository() + "/blobs/uploads/" + query));
            } catch (ImageException refused) {
                // e.g. a token server that will not grant pull on the source: the plain upload needs no such grant
                scope = pushScope;
                upload(digest, body);
                return false;
            }
            if (start.status() == 201) {
                start.close();
                return true;
            }
            if (start.status() != 202) {
                start.drain(MAX_ERROR_BODY);
                scope = pushScope;
                upload(digest, body);
                return false;
            }
            upload(digest, body, start);
            return false;
        } finally {
            scope = pushScope;
        }
    }

    private void upload(String digest, java.util.function.Supplier<HttpRequest.BodyPublisher> body) {
        upload(digest, body, withRetries(() -> exchange("POST", HttpRequest.BodyPublishers::noBody,
                "/v2/" + ref.repository() + "/blobs/uploads/")));
    }

    /** PUTs the blob into the upload session {@code start} (the 202 answer to a POST) opened. */
    private void upload(String digest, java.util.function.Supplier<HttpRequest.BodyPublisher> body, Reply start) {
        String location;
        try {
            if (start.status() != 202) {
                throw statusError(start, null, digest);
            }
            location = start.headers().firstValue("Location").orElseThrow(
                    () -> new ImageException("registry " + registry + " started an upload without a Location"));
        } finally {
            start.close();
        }
        URI loc = registryUri("/").resolve(location.trim());
        String path = loc.getRawPath() + "?" + (loc.getRawQuery() == null ? "" : loc.getRawQuery() + "&") + "digest="
                + URLEncoder.encode(digest, StandardCharsets.UTF_8);
        Reply put = withRetries(() -> exchange("PUT", body, path, "Content-Type", "application/octet-stream"));
        try {
            if (put.status() != 201 && put.status() != 204) {
                throw statusError(put, null, digest);
            }
        } finally {
            put.close();
        }
    }

    /** PUT /v2/&lt;repo&gt;/manifests/&lt;reference&gt;; returns the digest of the bytes sent. */
    public String putManifest(String reference, String mediaType, byte[] manifest) {
        Reply r = withRetries(() -> exchange("PUT", () -> HttpRequest.BodyPublishers.ofByteArray(manifest),
                "/v2/" + ref.repository() + "/manifests/" + reference, "Content-Type", mediaType));
        try {
            if (r.status() != 201 && r.status() != 200 && r.status() != 202) {
                throw statusError(r, ref.repositoryName() + ":" + reference, null);
            }
            return Digests.sha256(manifest);
        } finally {
            r.close();
        }
    }

    // ---------------------------------------------------------------- blobs

    /**
     * GET /v2/&lt;repo&gt;/blobs/&lt;digest&gt; as a stream that resumes broken transfers. The bytes are NOT verified here:
     * wrap the stream (the puller uses a digest-verifying stream) — that keeps hashing in one place for both uses.
     */
    public InputStream openBlob(String digest, long size) {
        if (!Digests.isSha256(digest)) {
            throw new ImageException("blob " + digest + ": only sha256 digests are supported");
        }
        String path = "/v2/" + ref.repository() + "/blobs/" + digest;
        try {
            return new ResumingInputStream(offset -> openBlobAt(path, digest, offset), size, MAX_RESUMES, backoffMillis);
        } catch (IOException e) {
            throw mapIo(e, "downloading blob " + digest);
        }
    }

    /** A small blob (a config) read whole and verified against digest and size. */
    public byte[] blob(String digest, long size, int maxBytes) {
        if (size > maxBytes) {
            throw new ImageException("blob " + digest + ": " + size + " bytes is more than the " + maxBytes + " bytes allowed");
        }
        try (DigestVerifyingInputStream in = new DigestVerifyingInputStream(openBlob(digest, size), digest, size)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw mapIo(e, "downloading blob " + digest);
        }
    }

    private ResumingInputStream.Opened openBlobAt(String path, String digest, long offset) throws IOException {
        Reply r = withRetries(() -> offset > 0 ? send(path, "Range", "bytes=" + offset + "-") : send(path));
        if (r.status() == 200) {
            return new ResumingInputStream.Opened(r.body(), 0);
        }
        if (r.status() == 206 && offset > 0) {
            long start = contentRangeStart(r.headers().firstValue("Content-Range").orElse(null));
            if (start < 0) {
                r.close();
                throw new IOException("registry answered a range request with an unusable Content-Range");
            }
            return new ResumingInputStream.Opened(r.body(), start);
        }
        try {
            throw statusError(r, null, digest);
        } finally {
            r.close();
        }
    }

    /** "bytes 100-999/1000" → 100; -1 if unparseable. */
    static long contentRangeStart(String contentRange) {
        if (contentRange == null) {
            return -1;
        }
        String v = contentRange.trim();
        if (!v.regionMatches(true, 0, "bytes ", 0, 6)) {
            return -1;
        }
        int dash = v.indexOf('-', 6);
        if (dash < 0) {
            return -1;
        }
        try {
            return Long.parseLong(v.substring(6, dash).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- exchange

    /** A response with its body as a stream; 3xx bodies are discarded, so body may be null only for them. */
    record Reply(int status, HttpHeaders headers, InputStream body, URI uri) implements AutoCloseable {
        @Override
        public void close() {
            if (body != null) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }

        /** Reads up to {@code max} bytes of the body (for error messages), then closes it. */
        byte[] drain(int max) {
            try {
                return body == null ? new byte[0] : body.readNBytes(max);
            } catch (IOException e) {
                return new byte[0];
            } finally {
                close();
            }
        }
    }

    private interface Call {
        Reply call() throws IOException;
    }

    /** Up to {@link #ATTEMPTS} tries with growing pauses on network failures and 5xx answers. */
    private Reply withRetries(Call call) {
        for (int attempt = 1; ; attempt++) {
            try {
                Reply r = call.call();
                if (r.status() >= 500 && r.status() <= 599 && attempt < ATTEMPTS) {
                    r.drain(MAX_ERROR_BODY);
                    backoff(attempt);
                    continue;
                }
                return r;
            } catch (IOException e) {
                if (attempt >= ATTEMPTS || !retryable(e)) {
                    throw mapIo(e, null);
                }
                backoff(attempt);
            }
        }
    }

    private void backoff(int attempt) {
        try {
            Thread.sleep(Math.min(backoffMillis * (1L << (attempt - 1)), 4_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("pull from registry " + registry + " interrupted");
        }
    }

    private static boolean retryable(IOException e) {
        if (e instanceof InterruptedIOException || Thread.currentThread().isInterrupted()) {
            return false;
        }
        // Neither a bad certificate nor an unknown host gets better by asking again.
        return cause(e, SSLException.class) == null && cause(e, UnresolvedAddressException.class) == null
                && cause(e, UnknownHostException.class) == null;
    }

    /** GET a registry path; handles TLS→HTTP fallback, auth challenges and redirects. headers: name, value, name, value... */
    private Reply send(String path, String... headers) throws IOException {
        return exchange("GET", null, path, headers);
    }

    /** Like {@link #send} with any method; {@code body} must be re-sendable (auth retries and redirects send it again). */
    private Reply exchange(String method, java.util.function.Supplier<HttpRequest.BodyPublisher> body, String path, String... headers)
            throws IOException {
        URI uri = registryUri(path);
        boolean authRetried = false;
        int redirects = 0;
        while (true) {
            boolean toRegistry = isRegistryOrigin(uri);
            String auth = toRegistry ? authByScope.get(scope) : null;
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.get()).timeout(requestTimeout)
                    // h2 only where ALPN negotiates it; never an h2c upgrade on plain HTTP.
                    .version("https".equals(uri.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                    .header("User-Agent", USER_AGENT);
            for (int i = 0; i + 1 < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            if (auth != null) {
                b.header("Authorization", auth);
            }
            HttpResponse<InputStream> resp;
            try {
                resp = http().send(b.build(), this::bodyFor);
            } catch (IOException e) {
                if (toRegistry && redirects == 0 && (backToHttps() || fallBackToHttp(e))) {
                    uri = registryUri(path);
                    continue;
                }
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            if (toRegistry && resp.statusCode() == 400 && redirects == 0 && backToHttps()) {
                // a remembered plain-HTTP registry that now speaks TLS answers a plain request with 400
                closeQuietly(resp.body());
                uri = registryUri(path);
                continue;
            }
            if (toRegistry) {
                schemeSettled = true;
                schemeRemembered = false;
            }
            Reply r = new Reply(resp.statusCode(), resp.headers(), resp.body(), uri);
            if (isRedirect(r.status())) {
                r.close();
                String location = r.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw new ImageException("registry " + registry + " sent a redirect (HTTP " + r.status() + ") without a Location");
                }
                if (++redirects > MAX_REDIRECTS) {
                    throw new ImageException("registry " + registry + ": more than " + MAX_REDIRECTS + " redirects for " + path);
                }
                URI next = uri.resolve(location.trim());
                if ("http".equals(next.getScheme()) && "https".equals(uri.getScheme()) && !plainHttpAllowed && !isLoopback(authority(next))) {
                    throw new ImageException("registry " + registry + " redirected to insecure " + next.getScheme() + "://" + next.getHost()
                            + "; refusing (use --tls-verify=false to allow plain HTTP)");
                }
                if (!"http".equals(next.getScheme()) && !"https".equals(next.getScheme())) {
                    throw new ImageException("registry " + registry + " redirected to unsupported URL scheme " + next.getScheme());
                }
                uri = next;
                continue;
            }
            if (r.status() == 401 && toRegistry && !authRetried) {
                List<String> challenges = r.headers().allValues("WWW-Authenticate");
                byte[] errorBody = r.drain(MAX_ERROR_BODY);
                authRetried = true;
                if (authenticate(AuthChallenge.parseAll(challenges), auth)) {
                    continue;
                }
                return new Reply(401, r.headers(), new ByteArrayInputStream(errorBody), uri);
            }
            return r;
        }
    }

    private HttpResponse.BodySubscriber<InputStream> bodyFor(HttpResponse.ResponseInfo info) {
        if (isRedirect(info.statusCode())) {
            return HttpResponse.BodySubscribers.replacing((InputStream) null);
        }
        return new StreamingBody(idleTimeoutMillis);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private boolean fallBackToHttp(IOException e) {
        if (!plainHttpAllowed || schemeSettled || !"https".equals(scheme)) {
            return false;
        }
        // A certificate problem means the server does speak TLS; plain HTTP would only produce a confusing HTTP 400.
        boolean tlsFailure = cause(e, SSLException.class) != null && cause(e, CertificateException.class) == null;
        boolean timedOut = cause(e, HttpConnectTimeoutException.class) != null;
        boolean refused = cause(e, ConnectException.class) != null && cause(e, UnresolvedAddressException.class) == null && !timedOut;
        // The JDK counts the TLS handshake as part of connecting. On loopback, TCP cannot time out, so a timeout means
        // the server is waiting for an HTTP request line instead of answering our ClientHello: a plain HTTP server.
        boolean silentPlainServer = timedOut && isLoopback(host);
        if (tlsFailure || refused || silentPlainServer) {
            scheme = "http";
            if (plainHttpMemory != null && !refused) {
                plainHttpMemory.rememberPlain(host); // refused says nothing about the scheme
            }
            return true;
        }
        return false;
    }

    /** The remembered plain-HTTP scheme failed before any answer: forget it and start again from HTTPS. */
    private boolean backToHttps() {
        if (!schemeRemembered || schemeSettled) {
            return false;
        }
        schemeRemembered = false;
        plainHttpMemory.forget(host);
        scheme = "https";
        return true;
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // the exchange is abandoned anyway
        }
    }

    private URI registryUri(String path) {
        return URI.create(scheme + "://" + host + path);
    }

    private boolean isRegistryOrigin(URI uri) {
        return scheme.equals(uri.getScheme()) && host.equalsIgnoreCase(authority(uri));
    }

    /** host[:port] as written in the URI, with the default port dropped. */
    private static String authority(URI uri) {
        String a = uri.getRawAuthority();
        if (a == null) {
            return "";
        }
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            a = a.substring(at + 1);
        }
        if (("https".equals(uri.getScheme()) && a.endsWith(":443")) || ("http".equals(uri.getScheme()) && a.endsWith(":80"))) {
            a = a.substring(0, a.lastIndexOf(':'));
        }
        return a;
    }

    // ---------------------------------------------------------------- auth

    /** Prepares authorization for the retry of a request that got 401; false if we cannot do better than before. */
    private boolean authenticate(List<AuthChallenge> challenges, String failedAuth) throws IOException {
        synchronized (authLock) {
            String current = authByScope.get(scope);
            if (current != null && !current.equals(failedAuth)) {
                return true; // another download refreshed the token meanwhile
            }
            for (AuthChallenge c : challenges) {
                if (c.scheme().equals("bearer") && c.param("realm") != null) {
                    authByScope.put(scope, "Bearer " + fetchToken(c.param("realm"), c.param("service")));
                    return true;
                }
            }
            for (AuthChallenge c : challenges) {
                if (c.scheme().equals("basic") && credentials() != null) {
                    String basic = credentials().basicAuthorization();
                    if (basic.equals(failedAuth)) {
                        return false;
                    }
                    if ("http".equals(scheme) && !isLoopback(host) && !plainHttpAllowed) {
                        return false;
                    }
                    authByScope.put(scope, basic);
                    return true;
                }
            }
            return false;
        }
    }

    /** GET realm?service=…&amp;scope=repository:&lt;repo&gt;:pull, with basic credentials if we have them. */
    private String fetchToken(String realm, String service) {
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new ImageException("registry " + registry + " sent an invalid token realm \"" + realm + "\"");
        }
        if (!"https".equals(realmUri.getScheme()) && !"http".equals(realmUri.getScheme())) {
            throw new ImageException("registry " + registry + " sent an invalid token realm \"" + realm + "\"");
        }
        boolean insecureRealm = "http".equals(realmUri.getScheme()) && !plainHttpAllowed && !isLoopback(authority(realmUri));
        if (insecureRealm && credentials() != null) {
            throw new ImageException("registry " + registry + " wants credentials sent to a plain HTTP token server (" + realm
                    + "); refusing (use --tls-verify=false to allow it)");
        }
        StringBuilder q = new StringBuilder(realm).append(realm.indexOf('?') >= 0 ? '&' : '?');
        if (service != null) {
            q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)).append('&');
        }
        String sep = "";
        for (String one : scope.split(" ")) { // several scopes (a mount's source repository) go as repeated parameters
            q.append(sep).append("scope=").append(URLEncoder.encode(one, StandardCharsets.UTF_8));
            sep = "&";
        }
        URI uri = URI.create(q.toString());
        String authHost = realmUri.getHost();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(requestTimeout)
                .version("https".equals(uri.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .header("User-Agent", USER_AGENT).header("Accept", "application/json");
        if (credentials() != null) {
            b.header("Authorization", credentials().basicAuthorization());
        }
        HttpRequest request = b.build();
        for (int attempt = 1; ; attempt++) {
            int status;
            byte[] body;
            try {
                HttpResponse<InputStream> resp = http().send(request, this::bodyFor);
                Reply r = new Reply(resp.statusCode(), resp.headers(), resp.body(), uri);
                status = r.status();
                body = r.drain(MAX_TOKEN_BODY);
            } catch (IOException e) {
                if (attempt < ATTEMPTS && retryable(e)) {
                    backoff(attempt);
                    continue;
                }
                throw new ImageException("cannot get an access token for registry " + registry + " from " + authHost + ": "
                        + describeIo(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException("pull from registry " + registry + " interrupted");
            }
            if (status >= 500 && attempt < ATTEMPTS) {
                backoff(attempt);
                continue;
            }
            if (status == 200) {
                return parseToken(body, authHost);
            }
            if (status == 401 || status == 403) {
                if (credentials() != null) {
                    throw new ImageException("registry " + registry + " rejected the credentials for user \"" + credentials().username()
                            + "\"; log in again with jpod login " + registry);
                }
                throw new ImageException("registry " + registry + " refused anonymous access to " + ref.repositoryName()
                        + "; log in with jpod login " + registry);
            }
            throw new ImageException("cannot get an access token for registry " + registry + ": " + authHost + " answered HTTP " + status
                    + errorSuffix(body));
        }
    }

    private String parseToken(byte[] body, String authHost) {
        try {
            JsonNode n = Json.mapper().readTree(body);
            for (String field : new String[] {"token", "access_token"}) {
                JsonNode t = n == null ? null : n.get(field);
                if (t != null && t.isTextual() && !t.textValue().isEmpty()) {
                    return t.textValue();
                }
            }
        } catch (IOException e) {
            // reported below
        }
        throw new ImageException("cannot get an access token for registry " + registry + ": " + authHost
                + " answered without a token");
    }

    // ---------------------------------------------------------------- errors

    /** image: set for manifest requests; blobDigest: set for blob requests. Consumes the reply's body. */
    private ImageException statusError(Reply r, String image, String blobDigest) {
        int status = r.status();
        byte[] body = r.drain(MAX_ERROR_BODY);
        List<String[]> errors = registryErrors(body);
        boolean unknown = status == 404;
        for (String[] e : errors) {
            unknown |= e[0].equals("MANIFEST_UNKNOWN") || e[0].equals("NAME_UNKNOWN") || e[0].equals("BLOB_UNKNOWN");
        }
        String detail = errors.isEmpty() ? "" : ": " + errors.get(0)[1];
        String subject = image != null ? "image \"" + image + "\"" : "blob " + blobDigest + " of " + ref.repositoryName();
        if (unknown && status != 401) {
            if (image != null) {
                return new ImageException("image \"" + image + "\" not found in registry " + registry + ": manifest unknown");
            }
            return new ImageException("blob " + blobDigest + " not found in registry " + registry + " (repository " + ref.repository()
                    + "); the image is incomplete on the registry");
        }
        switch (status) {
            case 401:
                if (credentials() == null) {
                    return new ImageException(subject + ": authentication required (or the repository does not exist);"
                            + " log in with jpod login " + registry);
                }
                return new ImageException(subject + ": registry " + registry + " refused the credentials of user \""
                        + credentials().username() + "\" (or the repository does not exist); log in again with jpod login " + registry);
            case 403:
                return new ImageException(subject + ": access denied by registry " + registry + detail);
            case 416:
                return new ImageException(subject + ": registry " + registry + " cannot serve the requested byte range");
            case 429:
                return new ImageException("registry " + registry + ": too many requests (rate limit reached); try again later" + detail);
            default:
                if (status >= 500) {
                    return new ImageException("registry " + registry + " has a server error (HTTP " + status + ") for " + subject + detail
                            + "; try again later");
                }
                return new ImageException("registry " + registry + " answered HTTP " + status + " for " + subject + detail);
        }
    }

    /** The distribution spec's {"errors":[{"code":…,"message":…}]}; empty if the body is anything else. */
    static List<String[]> registryErrors(byte[] body) {
        List<String[]> out = new ArrayList<>();
        if (body == null || body.length == 0) {
            return out;
        }
        try {
            JsonNode errors = Json.mapper().readTree(body).get("errors");
            if (errors != null && errors.isArray()) {
                for (JsonNode e : errors) {
                    String code = e.path("code").asText("");
                    String message = e.path("message").asText("");
                    out.add(new String[] {code.toUpperCase(Locale.ROOT), ManifestParser.oneLine(message.isEmpty() ? code : message)});
                }
            }
        } catch (IOException | RuntimeException e) {
            // not the registry error format: ignore
        }
        return out;
    }

    private static String errorSuffix(byte[] body) {
        List<String[]> errors = registryErrors(body);
        return errors.isEmpty() ? "" : ": " + errors.get(0)[1];
    }

    /** Maps a network failure to a one-line ImageException. */
    ImageException mapIo(IOException e, String during) {
        if (e instanceof ContentMismatchException) {
            return new ImageException(e.getMessage(), e);
        }
        String prefix = during == null ? "" : during + ": ";
        if (cause(e, UnresolvedAddressException.class) != null || cause(e, UnknownHostException.class) != null) {
            return new ImageException(prefix + "cannot reach registry " + registry + ": host " + hostOnly(host) + " not found", e);
        }
        if (cause(e, HttpConnectTimeoutException.class) != null) {
            return new ImageException(prefix + "cannot reach registry " + registry + ": connection timed out", e);
        }
        if (cause(e, ConnectException.class) != null) {
            ConnectException ce = cause(e, ConnectException.class);
            String m = deepestMessage(ce);
            String why = m == null || m.toLowerCase(Locale.ROOT).contains("refused") ? "connection refused" : m.toLowerCase(Locale.ROOT);
            return new ImageException(prefix + "cannot reach registry " + registry + ": " + why, e);
        }
        if (cause(e, SSLException.class) != null) {
            String m = ManifestParser.oneLine(deepestMessage(cause(e, SSLException.class)));
            String hint = plainHttpAllowed ? "" : "; if the registry serves plain HTTP, use --tls-verify=false";
            String what = cause(e, SSLHandshakeException.class) != null ? "TLS handshake with registry " : "TLS error with registry ";
            if (cause(e, CertificateException.class) != null) {
                return new ImageException(prefix + what + registry + " failed: its certificate is not trusted (" + m + ")", e);
            }
            return new ImageException(prefix + what + registry + " failed: " + m + hint, e);
        }
        if (e instanceof HttpTimeoutException) {
            return new ImageException(prefix + "registry " + registry + " did not answer within " + requestTimeout.toSeconds() + " s", e);
        }
        if (cause(e, SocketTimeoutException.class) != null) {
            return new ImageException(prefix + "transfer from registry " + registry + " stalled: " + deepestMessage(e), e);
        }
        if (e instanceof InterruptedIOException) {
            return new ImageException(prefix + "pull from registry " + registry + " interrupted", e);
        }
        return new ImageException(prefix + "registry " + registry + ": " + describeIo(e), e);
    }

    private static String describeIo(IOException e) {
        String m = deepestMessage(e);
        return m == null ? e.getClass().getSimpleName() : ManifestParser.oneLine(m);
    }

    private static String deepestMessage(Throwable t) {
        String m = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                m = c.getMessage();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return m;
    }

    static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- loopback

    /** 127.0.0.0/8, ::1 and localhost — by literal only, never via DNS. */
    static boolean isLoopback(String hostPort) {
        String h = hostOnly(hostPort).toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        if (h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}")) {
            return true;
        }
        if (h.indexOf(':') >= 0 && h.matches("[0-9a-f:.]+")) {
            try {
                return InetAddress.getByName(h).isLoopbackAddress(); // an IPv6 literal: parsed, not resolved
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /** "[::1]:5000" → "::1", "host:5000" → "host". */
    static String hostOnly(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            return close > 0 ? hostPort.substring(1, close) : hostPort;
        }
        int colon = hostPort.indexOf(':');
        return colon >= 0 && hostPort.indexOf(':', colon + 1) < 0 ? hostPort.substring(0, colon) : hostPort;
    }

    // ---------------------------------------------------------------- close

    /**
     * Shuts the HttpClient down (JDK 21+ has shutdownNow/awaitTermination; called reflectively because we compile for 17,
     * where the client's threads are daemons and simply die with the JVM). Without it a JDK 21 JVM lingers ~300 ms at exit.
     */
    @Override
    public void close() {
        HttpClient http;
        synchronized (this) {
            http = this.http;
        }
        if (http == null) {
            return;
        }
        try {
            Method shutdownNow = HttpClient.class.getMethod("shutdownNow");
            shutdownNow.invoke(http);
            Method await = HttpClient.class.getMethod("awaitTermination", Duration.class);
            await.invoke(http, Duration.ofSeconds(1));
        } catch (NoSuchMethodException e) {
            // JDK 17-20: nothing to close
        } catch (ReflectiveOperationException | RuntimeException e) {
            // closing must not turn a finished pull into a failure
        }
    }
}
