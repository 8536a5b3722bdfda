package io.jpod.cli.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.engine.Dirs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /networks}. jpod has one kind of network: each container's own slirp4netns namespace, its published
 * ports answering on the host. Docker's predefined {@code bridge}, {@code host} and {@code none} are shown; a
 * network created through the API (docker-compose's {@code PROJECT_default}) is a name kept in
 * {@code <runroot>/api-networks.json} whose containers get that same default network (no container-to-container
 * traffic, no aliases); other drivers and options are refused.
 */
final class NetworkEndpoints {
    /** A network created through the API. */
    record ApiNetwork(@JsonProperty("Name") String name, @JsonProperty("Id") String id, @JsonProperty("Created") String created,
                      @JsonProperty("Labels") Map<String, String> labels) {
    }

    private static final List<String> PREDEFINED = List.of("bridge", "host", "none");
    private final DockerApi api;

    NetworkEndpoints(DockerApi api) {
        this.api = api;
    }

    boolean route(HttpExchange ex, String m, String[] seg) throws IOException {
        int n = seg.length;
        if (n == 1 && DockerApi.get(m)) {
            Map<String, List<String>> filters = Filters.parse(ex.request.param("filters"));
            List<Map<String, Object>> out = new ArrayList<>();
            for (Map<String, Object> net : all()) {
                if (matches(filters, net)) {
                    out.add(net);
                }
            }
            ex.json(200, out);
            return true;
        }
        if (n == 2 && seg[1].equals("create") && m.equals("POST")) {
            create(ex);
            return true;
        }
        if (n == 2 && seg[1].equals("prune") && m.equals("POST")) {
            List<String> removed = new ArrayList<>();
            synchronized (NetworkEndpoints.class) {
                List<ApiNetwork> nets = load();
                for (ApiNetwork net : nets) {
                    removed.add(net.name());
                }
                save(List.of());
            }
            ex.json(200, Map.of("NetworksDeleted", removed));
            return true;
        }
        if (n == 2 && DockerApi.get(m)) {
            ex.json(200, find(seg[1]));
            return true;
        }
        if (n == 2 && m.equals("DELETE")) {
            Map<String, Object> net = find(seg[1]);
            if (PREDEFINED.contains(String.valueOf(net.get("Name")))) {
                throw new HttpError(403, net.get("Name") + " is a pre-defined network and cannot be removed");
            }
            synchronized (NetworkEndpoints.class) {
                List<ApiNetwork> nets = new ArrayList<>(load());
                nets.removeIf(x -> x.id().equals(net.get("Id")));
                save(nets);
            }
            ex.empty(204);
            return true;
        }
        if (n == 3 && (seg[2].equals("connect") || seg[2].equals("disconnect")) && m.equals("POST")) {
            find(seg[1]);
            ex.request.bodyBytes(1 << 20);
            ex.empty(200); // every container is on jpod's one kind of network already
            return true;
        }
        return false;
    }

    /** Whether a container's NetworkMode names a network of the API (its containers get jpod's default network). */
    boolean exists(String name) {
        return load().stream().anyMatch(x -> x.name().equals(name) || x.id().equals(name));
    }

    private void create(HttpExchange ex) throws IOException {
        JsonNode b = ContainerEndpoints.jsonBody(ex);
        String name = b.path("Name").asText("");
        if (name.isEmpty() || !name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw HttpError.badRequest("invalid network name " + HttpRequest.printable(name));
        }
        String driver = b.path("Driver").asText("");
        if (!driver.isEmpty() && !driver.equals("bridge")) {
            throw HttpError.badRequest("network driver " + HttpRequest.printable(driver)
                    + " is not supported: jpod's containers each have their own slirp4netns network");
        }
        if (b.path("Internal").asBoolean(false) || b.path("EnableIPv6").asBoolean(false) || b.path("Options").size() > 0
                || b.path("IPAM").path("Config").size() > 0) {
            throw HttpError.badRequest("network options (Internal, EnableIPv6, Options, IPAM) are not supported by jpod");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        b.path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        ApiNetwork net;
        synchronized (NetworkEndpoints.class) {
            List<ApiNetwork> nets = new ArrayList<>(load());
            if (PREDEFINED.contains(name) || nets.stream().anyMatch(x -> x.name().equals(name))) {
                throw new HttpError(409, "network with name " + name + " already exists");
            }
            byte[] id = new byte[32];
            new java.security.SecureRandom().nextBytes(id);
            net = new ApiNetwork(name, HexFormat.of().formatHex(id), Instant.now().toString(), labels);
            nets.add(net);
            save(nets);
        }
        ex.json(201, Map.of("Id", net.id(), "Warning", ""));
    }

    private Map<String, Object> find(String idOrName) {
        for (Map<String, Object> net : all()) {
            if (idOrName.equals(net.get("Name")) || String.valueOf(net.get("Id")).startsWith(idOrName) && idOrName.length() >= 3) {
                return net;
            }
        }
        throw HttpError.notFound("network " + idOrName + " not found");
    }

    private List<Map<String, Object>> all() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String p : PREDEFINED) {
            out.add(shape(p, HexFormat.of().formatHex(p.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), p.equals("bridge") ? "bridge" : p,
                    "", Map.of()));
        }
        for (ApiNetwork n : load()) {
            out.add(shape(n.name(), n.id(), "bridge", n.created(), n.labels()));
        }
        return out;
    }

    private static Map<String, Object> shape(String name, String id, String driver, String created, Map<String, String> labels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", name);
        m.put("Id", id);
        m.put("Created", created.isEmpty() ? "0001-01-01T00:00:00Z" : created);
        m.put("Scope", "local");
        m.put("Driver", driver);
        m.put("EnableIPv6", false);
        // published ports answer on the host's addresses, loopback included
        m.put("IPAM", Map.of("Driver", "default", "Options", Map.of(),
                "Config", driver.equals("bridge") ? List.of(Map.of("Subnet", "127.0.0.0/8", "Gateway", "127.0.0.1")) : List.of()));
        m.put("Internal", false);
        m.put("Attachable", false);
        m.put("Ingress", false);
        m.put("Containers", Map.of());
        m.put("Options", Map.of());
        m.put("Labels", labels == null ? Map.of() : labels);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(Map<String, List<String>> filters, Map<String, Object> net) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            List<String> v = f.getValue();
            if (v.isEmpty()) {
                continue;
            }
            boolean ok = switch (f.getKey()) {
                case "name" -> v.stream().anyMatch(x -> String.valueOf(net.get("Name")).contains(x));
                case "id" -> v.stream().anyMatch(x -> String.valueOf(net.get("Id")).startsWith(x));
                case "label" -> Filters.labels(v, (Map<String, String>) net.get("Labels"));
                case "driver" -> v.contains(String.valueOf(net.get("Driver")));
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private Path file() {
        return Dirs.from(api.env(), null, null).runRoot().path().resolve("api-networks.json");
    }

    private List<ApiNetwork> load() {
        Path f = file();
        try {
            return Files.exists(f) ? HttpExchange.JSON.readValue(f.toFile(), new TypeReference<List<ApiNetwork>>() { }) : List.of();
        } catch (IOException e) {
            throw new io.jpod.engine.EngineException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private void save(List<ApiNetwork> nets) {
        Path f = file();
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            HttpExchange.JSON.writeValue(tmp.toFile(), nets);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new io.jpod.engine.EngineException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }
}
