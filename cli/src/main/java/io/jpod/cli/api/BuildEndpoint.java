package io.jpod.cli.api;

import com.fasterxml.jackson.core.type.TypeReference;
import io.jpod.engine.Engine;
import io.jpod.engine.build.BuildRequest;
import io.jpod.engine.build.ContextArchive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /build}: the docker CLI's classic builder (`DOCKER_BUILDKIT=0 docker build`) runs jpod's own builder.
 * The body is the context as a tar (plain or compressed), extracted confined into a private directory; the query
 * carries the options. The builder's output goes back as docker's {@code {"stream": …}} lines, the image id as
 * {@code {"aux":{"ID": …}}}, a failure as an {@code errorDetail} line (the status is already sent by then).
 */
final class BuildEndpoint {
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };
    private final DockerApi api;

    BuildEndpoint(DockerApi api) {
        this.api = api;
    }

    void build(HttpExchange ex) throws IOException {
        HttpRequest r = ex.request;
        Path dir = Files.createTempDirectory("jpod-api-build-");
        try {
            Path data = Files.createTempFile("jpod-api-build-", ".tar");
            try {
                try (InputStream in = r.body) {
                    Files.copy(in, data, StandardCopyOption.REPLACE_EXISTING);
                }
                if (Files.size(data) > 0) {
                    if (!ContextArchive.isArchive(data)) {
                        throw HttpError.badRequest("the build context must be a tar archive (plain, gzip, bzip2 or xz)");
                    }
                    ContextArchive.extract(data, dir);
                }
            } finally {
                Files.deleteIfExists(data);
            }
            BuildRequest request = request(r, dir);
            OutputStream out = ex.stream(200, "application/json");
            try (PrintStream progress = new PrintStream(new StreamLines(out), true, StandardCharsets.UTF_8);
                 Engine engine = api.engine()) {
                String id = engine.build(request, progress);
                progress.flush();
                line(out, Map.of("aux", Map.of("ID", id.startsWith("sha256:") ? id : "sha256:" + id)));
                String hex = id.startsWith("sha256:") ? id.substring(7) : id;
                line(out, Map.of("stream", "Successfully built " + hex.substring(0, Math.min(12, hex.length())) + "\n"));
                for (String t : request.tags()) {
                    line(out, Map.of("stream", "Successfully tagged " + t + "\n"));
                }
            } catch (RuntimeException e) {
                String msg = ApiErrors.of(e).message();
                line(out, Map.of("errorDetail", Map.of("message", msg), "error", msg));
            }
            out.close();
        } finally {
            deleteTree(dir);
        }
    }

    /** docker's query parameters as a {@link BuildRequest}; a Containerfile outside the context is refused. */
    private static BuildRequest request(HttpRequest r, Path dir) throws IOException {
        String dockerfile = r.param("dockerfile");
        Path file;
        if (dockerfile == null || dockerfile.isEmpty()) {
            file = Files.exists(dir.resolve("Dockerfile")) || !Files.exists(dir.resolve("Containerfile"))
                    ? dir.resolve("Dockerfile") : dir.resolve("Containerfile");
        } else {
            file = dir.resolve(dockerfile).normalize();
            if (!file.startsWith(dir)) {
                throw HttpError.badRequest("dockerfile " + dockerfile + " is outside the build context");
            }
        }
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file)) {
            throw HttpError.badRequest("Cannot locate specified Dockerfile: " + dir.relativize(file));
        }
        String text = Files.readString(file);
        List<String> tags = new ArrayList<>();
        for (String t : r.params("t")) {
            if (!t.isEmpty()) {
                tags.add(t);
            }
        }
        Map<String, String> args = new LinkedHashMap<>();
        jsonMap(r, "buildargs").forEach((k, v) -> {
            if (v != null) {
                args.put(k, v);
            }
        });
        String pull = r.param("pull");
        String policy = pull == null || pull.isEmpty() || pull.equals("0") || pull.equalsIgnoreCase("false") ? "missing" : "always";
        String network = r.param("networkmode");
        String platform = r.param("platform");
        return new BuildRequest(dir, text, file.getFileName().toString(), tags, args, empty(r.param("target")),
                r.flag("nocache"), policy, jsonMap(r, "labels"), "docker", true, r.flag("q"),
                network == null || network.isEmpty() || network.equals("default") ? null : network,
                !"0".equals(r.param("rm")) && !"false".equalsIgnoreCase(r.param("rm")), null, Map.of(), List.of(),
                empty(platform), r.flag("squash") ? "new" : null, false, Map.of());
    }

    private static String empty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Map<String, String> jsonMap(HttpRequest r, String name) {
        String v = r.param(name);
        if (v == null || v.isEmpty()) {
            return Map.of();
        }
        try {
            Map<String, String> m = HttpExchange.JSON.readValue(v, STRING_MAP);
            return m == null ? Map.of() : m;
        } catch (IOException e) {
            throw HttpError.badRequest(name + " must be a JSON object of strings");
        }
    }

    private static void line(OutputStream out, Object value) throws IOException {
        out.write(HttpExchange.JSON.writeValueAsBytes(value));
        out.write('\n');
        out.flush();
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    /** The builder's text output, a {"stream": LINE} object per line. */
    private static final class StreamLines extends OutputStream {
        private final OutputStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        StreamLines(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (b == '\n') {
                line(out, Map.of("stream", line.toString(StandardCharsets.UTF_8) + "\n"));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public void flush() throws IOException {
            if (line.size() > 0) {
                line(out, Map.of("stream", line.toString(StandardCharsets.UTF_8)));
                line.reset();
            }
            out.flush();
        }
    }
}
