package io.jpod.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.engine.Engine;
import io.jpod.engine.NoSuchVolumeException;
import io.jpod.engine.volume.VolumeCreateOptions;
import io.jpod.engine.volume.VolumeRemoveOptions;
import io.jpod.engine.volume.VolumeReport;
import io.jpod.engine.volume.VolumeService;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /volumes}: list, create, inspect, remove, prune; jpod's local volumes. */
final class VolumeEndpoints {
    private final DockerApi api;

    VolumeEndpoints(DockerApi api) {
        this.api = api;
    }

    boolean route(HttpExchange ex, String m, String[] seg) throws IOException {
        if (seg.length == 1 && DockerApi.get(m)) {
            Map<String, List<String>> filters = Filters.parse(ex.request.param("filters"));
            try (Engine engine = api.engine()) {
                List<Map<String, Object>> all = list(engine, false);
                all.removeIf(v -> !matches(filters, v));
                ex.json(200, Map.of("Volumes", all, "Warnings", List.of()));
            }
            return true;
        }
        if (seg.length == 2 && seg[1].equals("create") && m.equals("POST")) {
            JsonNode body = ContainerEndpoints.jsonBody(ex);
            String name = body.path("Name").asText("");
            String driver = body.path("Driver").asText("");
            if (!driver.isEmpty() && !driver.equals("local")) {
                throw HttpError.badRequest("volume driver " + HttpRequest.printable(driver) + " is not supported: jpod has the local driver only");
            }
            if (body.path("DriverOpts").size() > 0) {
                throw HttpError.badRequest("volume driver options are not supported by jpod's local volumes");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            body.path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
            try (Engine engine = api.engine()) {
                VolumeService vs = engine.volumes();
                VolumeReport v = vs.create(new VolumeCreateOptions(name.isEmpty() ? null : name, labels, Map.of(), true));
                ex.json(201, shape(vs, v, false));
            }
            return true;
        }
        if (seg.length == 2 && seg[1].equals("prune") && m.equals("POST")) {
            try (Engine engine = api.engine()) {
                List<String> removed = engine.volumes().prune(v -> true).removed();
                ex.json(200, Map.of("VolumesDeleted", removed, "SpaceReclaimed", 0));
            }
            return true;
        }
        if (seg.length == 2 && DockerApi.get(m)) {
            try (Engine engine = api.engine()) {
                VolumeService vs = engine.volumes();
                ex.json(200, shape(vs, found(vs, seg[1]), false));
            }
            return true;
        }
        if (seg.length == 2 && m.equals("DELETE")) {
            try (Engine engine = api.engine()) {
                VolumeService vs = engine.volumes();
                found(vs, seg[1]);
                vs.remove(seg[1], VolumeRemoveOptions.volumeOnly(ex.request.flag("force")));
            }
            ex.empty(204);
            return true;
        }
        return false;
    }

    private static VolumeReport found(VolumeService vs, String name) {
        try {
            return vs.inspect(name);
        } catch (NoSuchVolumeException e) {
            throw HttpError.notFound("get " + name + ": no such volume");
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(Map<String, List<String>> filters, Map<String, Object> v) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            if (f.getValue().isEmpty()) {
                continue;
            }
            boolean ok = switch (f.getKey()) {
                case "name" -> f.getValue().stream().anyMatch(n -> String.valueOf(v.get("Name")).contains(n));
                case "label" -> Filters.labels(f.getValue(), (Map<String, String>) v.get("Labels"));
                case "driver" -> f.getValue().contains("local");
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static List<Map<String, Object>> list(Engine engine, boolean usage) {
        VolumeService vs = engine.volumes();
        List<Map<String, Object>> out = new ArrayList<>();
        for (VolumeReport v : vs.list(r -> true)) {
            out.add(shape(vs, v, usage));
        }
        return out;
    }

    /** A volume as docker's API shows it; with {@code usage} its UsageData (`system df`). */
    static Map<String, Object> shape(VolumeService vs, VolumeReport v, boolean usage) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CreatedAt", v.created() == null ? "" : v.created().toString());
        m.put("Driver", v.driver() == null ? "local" : v.driver());
        m.put("Labels", v.labels());
        m.put("Mountpoint", v.mountpoint().toString());
        m.put("Name", v.name());
        m.put("Options", Map.of());
        m.put("Scope", "local");
        if (usage) {
            m.put("UsageData", Map.of("Size", -1, "RefCount", vs.usedBy(v.name()).size()));
        }
        return m;
    }
}
