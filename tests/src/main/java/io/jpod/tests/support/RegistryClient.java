package io.jpod.tests.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Just enough of the distribution API (plain HTTP, no auth) to push test images to a loopback registry and read
 * them back. Every request has a timeout.
 */
public final class RegistryClient {

    public static final String ACCEPT_MANIFESTS = String.join(", ",
            OciImageBuilder.Format.DOCKER_V2.manifestType,
            OciImageBuilder.Format.OCI.manifestType,
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http;

    /** {@code hostPort} like "127.0.0.1:5000". */
    public RegistryClient(String hostPort) {
        this.base = URI.create("http://" + hostPort + "/");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public record Response(int status, byte[] body, Optional<String> digest, Optional<String> contentType) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Uploads every blob (skipping those already there), then the manifest as {@code tag}; returns the manifest digest. */
    public String push(BuiltImage image, String repository, String tag) {
        for (Blob blob : image.blobs()) {
            pushBlob(repository, blob);
        }
        return pushManifest(repository, tag, image.manifest());
    }

    public void pushBlob(String repository, Blob blob) {
        HttpResponse<byte[]> head = send(HttpRequest.newBuilder(uri("v2/" + repository + "/blobs/" + blob.digest()))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (head.statusCode() == 200) {
            return;
        }
        HttpResponse<byte[]> start = send(HttpRequest.newBuilder(uri("v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        expect(start, 202, "starting the upload of " + blob);
        String location = start.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("registry gave no Location for the upload of " + blob));
        URI upload = base.resolve(location);
        String sep = upload.toString().contains("?") ? "&" : "?";
        URI put = URI.create(upload + sep + "digest=" + URLEncoder.encode(blob.digest(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> done = send(HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob.bytes())));
        expect(done, 201, "uploading " + blob);
    }

    public String pushManifest(String repository, String reference, Blob manifest) {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri("v2/" + repository + "/manifests/" + reference))
                .header("Content-Type", manifest.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.bytes())));
        expect(r, 201, "putting the manifest " + repository + ":" + reference);
        String digest = r.headers().firstValue("Docker-Content-Digest").orElse(manifest.digest());
        if (!digest.equals(manifest.digest())) {
            throw new IllegalStateException("registry stored manifest " + digest + " but we sent " + manifest.digest());
        }
        return digest;
    }

    public Response getManifest(String repository, String reference) {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri("v2/" + repository + "/manifests/" + reference))
                .header("Accept", ACCEPT_MANIFESTS).GET());
        return response(r);
    }

    public Response getBlob(String repository, String digest) {
        return response(send(HttpRequest.newBuilder(uri("v2/" + repository + "/blobs/" + digest)).GET()));
    }

    /** Status of GET /v2/ (200 when the registry is up); -1 when nothing answers. */
    public int ping() {
        try {
            return http.send(HttpRequest.newBuilder(uri("v2/")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static Response response(HttpResponse<byte[]> r) {
        return new Response(r.statusCode(), r.body(), r.headers().firstValue("Docker-Content-Digest"),
                r.headers().firstValue("Content-Type"));
    }

    private URI uri(String path) {
        return base.resolve(path);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        HttpRequest req = request.timeout(TIMEOUT).build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(req.method() + " " + req.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + req.method() + " " + req.uri(), e);
        }
    }

    private static void expect(HttpResponse<byte[]> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + ": " + r.request().method() + " " + r.request().uri() + " answered "
                    + r.statusCode() + " (expected " + status + "): "
                    + new String(r.body(), StandardCharsets.UTF_8).strip());
        }
    }
}
