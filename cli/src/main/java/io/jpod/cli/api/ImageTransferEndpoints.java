package io.jpod.cli.api;

import io.jpod.engine.Engine;
import io.jpod.image.ImageArchives;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Images in and out of the store through the API: {@code {name}/push} (to a registry, docker's JSON progress),
 * {@code load} (a tarball in the request body), {@code get} and {@code {name}/get} (a docker-archive tarball as the
 * response), and {@code {name}/history}.
 */
final class ImageTransferEndpoints {
    private final DockerApi api;

    ImageTransferEndpoints(DockerApi api) {
        this.api = api;
    }

    /**
     * {@code POST /images/{name}/push?tag=TAG} with the registry's credentials in {@code X-Registry-Auth}: the
     * engine's push, its progress as JSON lines, then docker's closing "TAG: digest: D" line and its aux object.
     * Failures after the 200 are an {@code errorDetail} line, as docker's.
     */
    void push(HttpExchange ex, String name) throws IOException {
        HttpRequest r = ex.request;
        String tag = r.param("tag");
        String ref = tag == null || tag.isEmpty() ? name : name + (tag.startsWith("sha256:") ? "@" : ":") + tag;
        String creds = ImageEndpoints.credentials(r.header("X-Registry-Auth"));
        try (Engine engine = api.engine()) {
            engine.images().get(ref); // 404 before the stream starts
            OutputStream out = ex.stream(200, "application/json");
            try {
                ImageEndpoints.status(out, "The push refers to repository [" + name + "]");
                String digest = engine.images().push(new io.jpod.engine.image.ImagePushOptions(ref, null, true, creds, null, false),
                        new DockerProgress(out, true)).digest();
                String shownTag = tag == null || tag.isEmpty() ? "latest" : tag;
                ImageEndpoints.status(out, shownTag + ": digest: " + digest);
                Map<String, Object> aux = new LinkedHashMap<>();
                aux.put("Tag", shownTag);
                aux.put("Digest", digest);
                aux.put("Size", 0);
                out.write(HttpExchange.JSON.writeValueAsBytes(Map.of("progressDetail", Map.of(), "aux", aux)));
                out.write('\n');
            } catch (RuntimeException e) {
                String msg = ApiErrors.of(e).message();
                out.write(HttpExchange.JSON.writeValueAsBytes(Map.of("errorDetail", Map.of("message", msg), "error", msg)));
                out.write('\n');
            }
            out.close();
        }
    }

    /**
     * {@code POST /images/load}: the request body (plain or chunked) is a docker-archive or oci-archive tarball; it is
     * loaded whole before the answer, so a bad archive is an error response, and the answer is docker's
     * "Loaded image: NAME" lines.
     */
    void load(HttpExchange ex) throws IOException {
        io.jpod.engine.image.ImageLoadReport loaded;
        try (Engine engine = api.engine()) {
            loaded = engine.images().load(new io.jpod.engine.image.ImageLoadOptions(null, true), ex.request.body, null);
        }
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (io.jpod.engine.image.ImageLoadReport.Loaded img : loaded.images()) {
            List<String> names = img.names();
            if (names.isEmpty()) {
                streamLine(lines, "Loaded image ID: " + (img.id().startsWith("sha256:") ? img.id() : "sha256:" + img.id()) + "\n");
            }
            for (String n : names) {
                streamLine(lines, "Loaded image: " + n + "\n");
            }
        }
        ex.text(200, "application/json", lines.toString(StandardCharsets.UTF_8));
    }

    private static void streamLine(ByteArrayOutputStream out, String text) throws IOException {
        out.write(HttpExchange.JSON.writeValueAsBytes(Map.of("stream", text)));
        out.write('\n');
    }

    /**
     * {@code GET /images/{name}/get} and {@code GET /images/get?names=A&names=B}: a docker-archive tarball of the
     * images. Every name is looked up first, so a missing one is a 404 rather than a cut-off tarball.
     */
    void save(HttpExchange ex, List<String> names) throws IOException {
        if (names.isEmpty()) {
            throw HttpError.badRequest("names is required: the images to export");
        }
        try (Engine engine = api.engine()) {
            for (String n : names) {
                engine.images().get(n);
            }
            OutputStream out = ex.stream(200, "application/x-tar");
            // a failure now leaves the chunked body unterminated: the server drops the connection (ApiServer)
            engine.images().save(new io.jpod.engine.image.ImageSaveOptions(names, true, ImageArchives.DOCKER_ARCHIVE, false, false), out);
            out.close();
        }
    }

    /** {@code GET /images/{name}/history}: docker's entries, newest first; only the newest carries the image's ID and tags. */
    void history(HttpExchange ex, String name) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Engine engine = api.engine()) {
            io.jpod.engine.image.ImageSummaryReport img = engine.images().get(name);
            for (io.jpod.engine.image.ImageHistoryReport.Entry row : engine.images().history(name).entries()) {
                Map<String, Object> h = new LinkedHashMap<>();
                boolean top = out.isEmpty();
                h.put("Id", top ? ImageEndpoints.imageId(img) : "<missing>");
                h.put("Created", epochSeconds(row.created()));
                h.put("CreatedBy", row.createdBy());
                h.put("Tags", top && img.names() != null && !img.names().isEmpty() ? img.names() : null);
                h.put("Size", row.size());
                h.put("Comment", row.comment());
                out.add(h);
            }
        }
        ex.json(200, out);
    }

    private static long epochSeconds(String rfc3339) {
        try {
            return rfc3339.isEmpty() ? 0 : OffsetDateTime.parse(rfc3339).toEpochSecond();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
