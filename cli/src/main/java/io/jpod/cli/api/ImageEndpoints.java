package io.jpod.cli.api;

import io.jpod.engine.Engine;
import io.jpod.engine.image.ImageListOptions;
import io.jpod.engine.image.ImagePruneOptions;
import io.jpod.engine.image.ImageRemoveOptions;
import io.jpod.engine.image.ImageRemoveReport;
import io.jpod.engine.image.ImageService;
import io.jpod.engine.image.ImageSummaryReport;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /images}: pull ({@code create}), list, inspect, tag, remove (push, history, load, get: {@link ImageTransferEndpoints}). */
final class ImageEndpoints {
    private final DockerApi api;
    private final ImageTransferEndpoints transfers;

    ImageEndpoints(DockerApi api) {
        this.api = api;
        this.transfers = new ImageTransferEndpoints(api);
    }

    boolean route(HttpExchange ex, String m, String[] seg) throws IOException {
        int n = seg.length;
        if (n == 2 && seg[1].equals("create") && m.equals("POST")) {
            pull(ex);
            return true;
        }
        if (n == 2 && seg[1].equals("prune") && m.equals("POST")) {
            prune(ex);
            return true;
        }
        if (n == 2 && seg[1].equals("load") && m.equals("POST")) {
            transfers.load(ex);
            return true;
        }
        if (n == 2 && seg[1].equals("get") && DockerApi.get(m)) {
            transfers.save(ex, ex.request.params("names"));
            return true;
        }
        if (n >= 3 && seg[n - 1].equals("get") && DockerApi.get(m)) {
            transfers.save(ex, List.of(DockerApi.join(seg, 1, n - 1)));
            return true;
        }
        if (n >= 3 && seg[n - 1].equals("push") && m.equals("POST")) {
            transfers.push(ex, DockerApi.join(seg, 1, n - 1));
            return true;
        }
        if (n >= 3 && seg[n - 1].equals("history") && DockerApi.get(m)) {
            transfers.history(ex, DockerApi.join(seg, 1, n - 1));
            return true;
        }
        if (n == 2 && seg[1].equals("json") && DockerApi.get(m)) {
            list(ex);
            return true;
        }
        if (n >= 3 && seg[n - 1].equals("json") && DockerApi.get(m)) {
            inspect(ex, DockerApi.join(seg, 1, n - 1));
            return true;
        }
        if (n >= 3 && seg[n - 1].equals("tag") && m.equals("POST")) {
            tag(ex, DockerApi.join(seg, 1, n - 1));
            return true;
        }
        if (n >= 2 && m.equals("DELETE")) {
            remove(ex, DockerApi.join(seg, 1, n));
            return true;
        }
        return false;
    }

    /** {@code POST /images/create?fromImage=NAME&tag=TAG}: the engine's pull, its progress as docker's JSON lines. */
    private void pull(HttpExchange ex) throws IOException {
        HttpRequest r = ex.request;
        String from = r.param("fromImage");
        if (from == null || from.isEmpty()) {
            throw HttpError.badRequest(r.param("fromSrc") != null ? "importing with fromSrc is not supported by jpod's API; use jpod import"
                    : "fromImage is required: the image to pull");
        }
        String tag = r.param("tag");
        String name = from;
        if (tag != null && !tag.isEmpty() && !from.contains("@")) {
            name = tag.startsWith("sha256:") ? from + "@" + tag : from + ":" + tag;
        }
        String creds = credentials(r.header("X-Registry-Auth"));
        String platform = r.param("platform");
        OutputStream out = ex.stream(200, "application/json");
        try (Engine engine = api.engine()) {
            io.jpod.engine.image.ImagePullReport img = engine.images().pull(new io.jpod.engine.image.ImagePullOptions(name, true,
                    platform == null || platform.isEmpty() ? null : platform, creds, null, false), new DockerProgress(out, false));
            status(out, "Digest: " + (img.manifestDigest() == null ? img.id() : img.manifestDigest()));
            status(out, "Status: Downloaded newer image for " + name);
        } catch (RuntimeException e) {
            String msg = ApiErrors.of(e).message();
            out.write(HttpExchange.JSON.writeValueAsBytes(Map.of("errorDetail", Map.of("message", msg), "error", msg)));
            out.write('\n');
        }
        out.close();
    }

    static void status(OutputStream out, String s) throws IOException {
        out.write(HttpExchange.JSON.writeValueAsBytes(Map.of("status", s)));
        out.write('\n');
    }

    /** "USER:PASS" from docker's X-Registry-Auth (base64url of {"username","password",…}); null when none. */
    static String credentials(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(header.strip().replace('+', '-').replace('/', '_').replace("=", ""));
            var n = HttpExchange.JSON.readTree(json);
            String user = n.path("username").asText("");
            String pass = n.path("password").asText("");
            return user.isEmpty() ? null : user + ":" + pass;
        } catch (IOException | IllegalArgumentException e) {
            throw HttpError.badRequest("invalid X-Registry-Auth header: expected base64url-encoded JSON credentials");
        }
    }

    private void list(HttpExchange ex) throws IOException {
        Map<String, List<String>> filters = Filters.parse(ex.request.param("filters"));
        List<Object> out = new ArrayList<>();
        try (Engine engine = api.engine()) {
            for (ImageSummaryReport r : engine.images().list(new ImageListOptions(true))) {
                Map<String, Object> s = summary(r);
                if (matches(filters, r, s)) {
                    out.add(s);
                }
            }
        }
        ex.json(200, out);
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(Map<String, List<String>> filters, ImageSummaryReport r, Map<String, Object> s) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            List<String> v = f.getValue();
            if (v.isEmpty()) {
                continue;
            }
            boolean ok = switch (f.getKey()) {
                case "reference" -> r.names().stream().anyMatch(n -> v.stream().anyMatch(p -> n.equals(p) || n.startsWith(p + ":")
                        || n.endsWith("/" + p) || n.contains("/" + p + ":")));
                case "dangling" -> v.contains("true") == r.names().isEmpty();
                case "label" -> Filters.labels(v, (Map<String, String>) s.get("Labels"));
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static String imageId(ImageSummaryReport r) {
        return r.id().startsWith("sha256:") ? r.id() : "sha256:" + r.id();
    }

    /** An image as docker's image list shows it. */
    static Map<String, Object> summary(ImageSummaryReport r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Containers", -1);
        s.put("Created", r.stored() == null ? 0 : r.stored().getEpochSecond());
        s.put("Id", imageId(r));
        s.put("Labels", r.labels());
        s.put("ParentId", "");
        s.put("RepoDigests", r.digests() == null ? List.of() : r.digests());
        s.put("RepoTags", r.names() == null ? List.of() : r.names());
        s.put("SharedSize", -1);
        s.put("Size", r.size());
        return s;
    }

    private void inspect(HttpExchange ex, String name) throws IOException {
        try (Engine engine = api.engine()) {
            ImageSummaryReport r = engine.images().get(name);
            Map<String, Object> m = new LinkedHashMap<>(engine.images().inspect(name));
            m.put("Id", imageId(r));
            m.put("RepoTags", r.names());
            m.put("RepoDigests", r.digests() == null ? List.of() : r.digests());
            m.put("Size", r.size());
            m.remove("History"); // podman's list; docker's inspect has none
            ex.json(200, m);
        }
    }

    /**
     * Dangling images (all unused ones with {@code dangling=false}); with a label filter only images carrying the
     * labels go, which the engine's prune cannot select yet: none are removed then.
     */
    private void prune(HttpExchange ex) throws IOException {
        Map<String, List<String>> filters = Filters.parse(ex.request.param("filters"));
        List<Map<String, String>> deleted = new ArrayList<>();
        if (!filters.containsKey("label") && !filters.containsKey("until")) {
            boolean all = filters.getOrDefault("dangling", List.of()).contains("false");
            try (Engine engine = api.engine()) {
                for (String id : engine.images().prune(new ImagePruneOptions(all)).deleted()) {
                    deleted.add(Map.of("Deleted", id.startsWith("sha256:") ? id : "sha256:" + id));
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ImagesDeleted", deleted);
        out.put("SpaceReclaimed", 0);
        ex.json(200, out);
    }

    private void tag(HttpExchange ex, String name) throws IOException {
        String repo = ex.request.param("repo");
        if (repo == null || repo.isEmpty()) {
            throw HttpError.badRequest("repo is required: the repository to tag the image as");
        }
        String tag = ex.request.param("tag");
        try (Engine engine = api.engine()) {
            engine.images().tag(name, List.of(repo + ":" + (tag == null || tag.isEmpty() ? "latest" : tag)));
        }
        ex.empty(201);
    }

    private void remove(HttpExchange ex, String name) throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        try (Engine engine = api.engine()) {
            ImageService images = engine.images();
            images.get(name); // 404 before anything else
            for (ImageRemoveReport.Removed r : images.remove(List.of(name), new ImageRemoveOptions(ex.request.flag("force"), false)).images()) {
                r.untagged().forEach(n -> out.add(Map.of("Untagged", n)));
                if (r.deleted() != null) {
                    out.add(Map.of("Deleted", r.deleted().startsWith("sha256:") ? r.deleted() : "sha256:" + r.deleted()));
                }
            }
        }
        ex.json(200, out);
    }
}
