package io.jpod.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.engine.image.PullPolicy;
import io.jpod.engine.container.LogConfig;
import io.jpod.engine.container.RestartPolicy;
import io.jpod.engine.container.RunRequest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** docker's container-create body as the engine's {@link RunRequest} (created, not started: docker starts it next). */
final class ContainerRequests {
    private ContainerRequests() {
    }

    /**
     * @param apiNetwork whether a name is a network created through the API (its containers get jpod's default
     *                   network)
     */
    static RunRequest create(JsonNode b, String name, java.util.function.Predicate<String> apiNetwork) {
        String image = b.path("Image").asText("");
        if (image.isEmpty()) {
            throw HttpError.badRequest("config error: Image is required");
        }
        JsonNode h = b.path("HostConfig");
        List<String> cmd = strings(b.path("Cmd"), "Cmd");
        String entrypoint = null;
        if (b.hasNonNull("Entrypoint")) {
            List<String> ep = strings(b.path("Entrypoint"), "Entrypoint");
            try {
                entrypoint = ep.isEmpty() ? "" : HttpExchange.JSON.writeValueAsString(ep);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw HttpError.badRequest("invalid Entrypoint");
            }
        }
        RunRequest.ProcessRequest process = new RunRequest.ProcessRequest(entrypoint, strings(b.path("Env"), "Env"),
                text(b, "WorkingDir"), text(b, "User"), text(b, "Hostname"));
        List<String> publish = new ArrayList<>();
        JsonNode bindings = h.path("PortBindings");
        if (!bindings.isMissingNode() && !bindings.isNull() && !bindings.isObject()) {
            throw HttpError.badRequest("invalid HostConfig.PortBindings: expected an object of PORT/PROTO to bindings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = bindings.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String port = e.getKey();
            if (!port.matches("\\d{1,5}(-\\d{1,5})?(/(tcp|udp|sctp))?")) {
                throw HttpError.badRequest("invalid port specification: " + HttpRequest.printable(port));
            }
            for (JsonNode pb : e.getValue()) {
                String ip = pb.path("HostIp").asText("");
                String hp = pb.path("HostPort").asText("");
                publish.add((ip.isEmpty() ? "" : (ip.contains(":") ? "[" + ip + "]" : ip) + ":") + (ip.isEmpty() && hp.isEmpty() ? "" : hp + ":") + port);
            }
        }
        if (h.path("PublishAllPorts").asBoolean(false)) {
            // docker publishes the container's exposed ports (the body's and the image's) on random host ports
            for (Iterator<String> it = b.path("ExposedPorts").fieldNames(); it.hasNext(); ) {
                String port = it.next();
                if (!bindings.has(port) && port.matches("\\d{1,5}(/(tcp|udp|sctp))?")) {
                    publish.add(port);
                }
            }
        }
        String mode = text(h, "NetworkMode");
        if (mode == null || mode.equals("default") || mode.equals("bridge")) {
            mode = "slirp4netns"; // jpod's default network, what `jpod run` gives without --network
        } else if (!mode.equals("host") && !mode.equals("none") && !mode.startsWith("container:") && !mode.startsWith("slirp4netns")
                && !mode.startsWith("pasta")) {
            if (!apiNetwork.test(mode)) {
                throw HttpError.notFound("network " + mode + " not found");
            }
            mode = "slirp4netns";
        }
        RunRequest.NetworkRequest network = new RunRequest.NetworkRequest(mode, strings(h.path("ExtraHosts"), "ExtraHosts"), publish,
                h.path("PublishAllPorts").asBoolean(false), strings(h.path("Dns"), "Dns"), strings(h.path("DnsSearch"), "DnsSearch"),
                strings(h.path("DnsOptions"), "DnsOptions"));
        Map<String, String> labels = new LinkedHashMap<>();
        b.path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        JsonNode rp = h.path("RestartPolicy");
        String rname = rp.path("Name").asText("");
        RestartPolicy restart = rname.isEmpty() || rname.equals("no") ? RestartPolicy.NO
                : RestartPolicy.parse(rname.equals("on-failure") && rp.path("MaximumRetryCount").asInt(0) > 0
                ? rname + ":" + rp.path("MaximumRetryCount").asInt() : rname);
        Integer stopTimeout = b.hasNonNull("StopTimeout") ? b.path("StopTimeout").asInt() : null;
        RunRequest.LifecycleRequest lifecycle = new RunRequest.LifecycleRequest(true, b.path("Tty").asBoolean(false),
                b.path("OpenStdin").asBoolean(false), h.path("Init").asBoolean(false), text(b, "StopSignal"), stopTimeout, labels,
                LogConfig.parse(null, List.of()), true, restart);
        List<String> mounts = new ArrayList<>();
        for (JsonNode m : h.path("Mounts")) {
            String type = m.path("Type").asText("bind");
            String target = m.path("Target").asText("");
            if (target.isEmpty()) {
                throw HttpError.badRequest("invalid mount config: Target is required");
            }
            StringBuilder s = new StringBuilder("type=").append(type);
            String source = m.path("Source").asText("");
            if (!source.isEmpty()) {
                s.append(",source=").append(source);
            }
            s.append(",target=").append(target);
            if (m.path("ReadOnly").asBoolean(false)) {
                s.append(",readonly");
            }
            mounts.add(s.toString());
        }
        List<String> tmpfs = new ArrayList<>();
        h.path("Tmpfs").fields().forEachRemaining(f -> tmpfs.add(f.getValue().asText("").isEmpty() ? f.getKey()
                : f.getKey() + ":" + f.getValue().asText()));
        RunRequest.SecurityRequest security = new RunRequest.SecurityRequest(strings(h.path("CapAdd"), "CapAdd"),
                strings(h.path("CapDrop"), "CapDrop"), h.path("Privileged").asBoolean(false), List.of(),
                strings(h.path("Binds"), "Binds"), mounts, tmpfs, h.path("ReadonlyRootfs").asBoolean(false), true, null, List.of());
        long memory = h.path("Memory").asLong(0);
        long nanoCpus = h.path("NanoCpus").asLong(0);
        Long pids = h.hasNonNull("PidsLimit") && h.path("PidsLimit").asLong() != 0 ? h.path("PidsLimit").asLong() : null;
        RunRequest.ResourceRequest resources = new RunRequest.ResourceRequest(memory > 0 ? Long.toString(memory) : null, null, null,
                nanoCpus > 0 ? new java.math.BigDecimal(nanoCpus).movePointLeft(9).toPlainString() : null, null, null, null, pids);
        return new RunRequest(image, cmd, process, name == null || name.isEmpty() ? null : name, h.path("AutoRemove").asBoolean(false),
                new RunRequest.PullRequest(PullPolicy.parse("never"), true, true, null), network, lifecycle, security, resources);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNull() || v.isMissingNode() || v.asText().isEmpty() ? null : v.asText();
    }

    /** A list of strings, or docker's single string that stands for a one-element list; null and absent: empty. */
    static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (n.isTextual()) {
            out.add(n.asText());
            return out;
        }
        if (!n.isArray()) {
            throw HttpError.badRequest("invalid " + field + ": expected a list of strings");
        }
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw HttpError.badRequest("invalid " + field + ": expected a list of strings");
            }
            out.add(e.asText());
        }
        return out;
    }
}
