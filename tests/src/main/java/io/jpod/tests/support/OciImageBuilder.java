package io.jpod.tests.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds an image (layers, OCI image config, manifest) entirely in memory, deterministically: the same calls give the
 * same image id and manifest digest. Start from {@link TestImage#busybox()} for a usable base image.
 */
public final class OciImageBuilder {

    public enum Format {
        /** application/vnd.docker.distribution.manifest.v2+json, as Docker Hub serves single-platform images. */
        DOCKER_V2("application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.container.image.v1+json",
                "application/vnd.docker.image.rootfs.diff.tar.gzip"),
        /** application/vnd.oci.image.manifest.v1+json. */
        OCI("application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.config.v1+json",
                "application/vnd.oci.image.layer.v1.tar+gzip");

        public final String manifestType;
        public final String configType;
        public final String layerType;

        Format(String manifestType, String configType, String layerType) {
            this.manifestType = manifestType;
            this.configType = configType;
            this.layerType = layerType;
        }
    }

    /** How layer blobs are compressed; the media type follows (OCI: +gzip, +zstd or plain tar). */
    public enum Compression { GZIP, NONE, ZSTD }

    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final String CREATED = LayerBuilder.MTIME.toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<LayerBuilder> layers = new ArrayList<>();
    private final List<String> layerComments = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<String> exposedPorts = new ArrayList<>();
    private List<String> env = List.of(DEFAULT_PATH);
    private List<String> cmd = List.of("sh");
    private List<String> entrypoint;
    private String workingDir;
    private String user;
    private String stopSignal;
    private String healthShell;
    private long healthIntervalNanos;
    private String architecture = hostArchitecture();
    private Format format = Format.DOCKER_V2;
    private Compression compression = Compression.GZIP;

    /** An image with no layers yet and the default Env and Cmd. */
    public static OciImageBuilder scratch() {
        return new OciImageBuilder();
    }

    public OciImageBuilder layer(LayerBuilder layer) {
        return layer(layer, "jpod tests layer " + (layers.size() + 1));
    }

    public OciImageBuilder layer(LayerBuilder layer, String createdBy) {
        layers.add(layer);
        layerComments.add(createdBy);
        return this;
    }

    /** Adds a new top layer filled by {@code fill}. */
    public OciImageBuilder layer(Consumer<LayerBuilder> fill) {
        LayerBuilder l = new LayerBuilder();
        fill.accept(l);
        return layer(l);
    }

    /** Adds a file in a new top layer; several calls give several layers. */
    public OciImageBuilder file(String path, String content, int mode) {
        return layer(l -> l.file(path, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), mode));
    }

    /** Replaces the whole Env list ("K=V" items); pass {@link #DEFAULT_PATH} yourself if you want PATH. */
    public OciImageBuilder env(String... keyValues) {
        env = List.of(keyValues);
        return this;
    }

    /** Adds or replaces one variable of Env. */
    public OciImageBuilder addEnv(String key, String value) {
        List<String> next = new ArrayList<>();
        for (String kv : env) {
            if (!kv.startsWith(key + "=")) {
                next.add(kv);
            }
        }
        next.add(key + "=" + value);
        env = List.copyOf(next);
        return this;
    }

    /** Cmd; no arguments means no Cmd at all. */
    public OciImageBuilder cmd(String... args) {
        cmd = args.length == 0 ? null : List.of(args);
        return this;
    }

    /** Entrypoint; no arguments means none. */
    public OciImageBuilder entrypoint(String... args) {
        entrypoint = args.length == 0 ? null : List.of(args);
        return this;
    }

    public OciImageBuilder workingDir(String dir) {
        workingDir = dir;
        return this;
    }

    public OciImageBuilder user(String u) {
        user = u;
        return this;
    }

    public OciImageBuilder stopSignal(String signal) {
        stopSignal = signal;
        return this;
    }

    /** A Dockerfile HEALTHCHECK CMD (shell form) with its interval. */
    public OciImageBuilder healthcheck(String shellCommand, java.time.Duration interval) {
        healthShell = shellCommand;
        healthIntervalNanos = interval.toNanos();
        return this;
    }

    public OciImageBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    /** E.g. "8080/tcp". */
    public OciImageBuilder expose(String portProto) {
        exposedPorts.add(portProto);
        return this;
    }

    public OciImageBuilder architecture(String arch) {
        architecture = arch;
        return this;
    }

    public OciImageBuilder format(Format f) {
        format = f;
        return this;
    }

    /** Layer compression; NONE and ZSTD use OCI media types (Docker's schema2 has no zstd type). */
    public OciImageBuilder compression(Compression c) {
        compression = c;
        return this;
    }

    private String layerMediaType() {
        return switch (compression) {
            case GZIP -> format.layerType;
            case NONE -> format == Format.OCI ? "application/vnd.oci.image.layer.v1.tar" : "application/vnd.docker.image.rootfs.diff.tar";
            case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
        };
    }

    private byte[] compress(byte[] tar) {
        return switch (compression) {
            case GZIP -> LayerBuilder.gzip(tar);
            case NONE -> tar.clone();
            case ZSTD -> LayerBuilder.zstd(tar);
        };
    }

    public BuiltImage build() {
        List<Blob> blobs = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (LayerBuilder l : layers) {
            byte[] tar = l.tar();
            diffIds.add(Blob.sha256(tar));
            blobs.add(Blob.of(layerMediaType(), compress(tar)));
        }
        Blob config = Blob.of(format.configType, json(configJson(diffIds)));
        Blob manifest = Blob.of(format.manifestType, json(manifestJson(config, blobs)));
        return new BuiltImage(format, blobs, diffIds, config, manifest);
    }

    private ObjectNode configJson(List<String> diffIds) {
        ObjectNode root = JSON.createObjectNode();
        root.put("created", CREATED);
        root.put("architecture", architecture);
        root.put("os", "linux");
        ObjectNode c = root.putObject("config");
        if (user != null) {
            c.put("User", user);
        }
        if (!exposedPorts.isEmpty()) {
            ObjectNode ports = c.putObject("ExposedPorts");
            exposedPorts.forEach(p -> ports.putObject(p));
        }
        strings(c, "Env", env);
        strings(c, "Entrypoint", entrypoint);
        strings(c, "Cmd", cmd);
        if (workingDir != null) {
            c.put("WorkingDir", workingDir);
        }
        if (!labels.isEmpty()) {
            ObjectNode l = c.putObject("Labels");
            labels.forEach(l::put);
        }
        if (stopSignal != null) {
            c.put("StopSignal", stopSignal);
        }
        if (healthShell != null) {
            ObjectNode h = c.putObject("Healthcheck");
            h.putArray("Test").add("CMD-SHELL").add(healthShell);
            h.put("Interval", healthIntervalNanos);
        }
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        strings(rootfs, "diff_ids", diffIds);
        ArrayNode history = root.putArray("history");
        for (String comment : layerComments) {
            history.addObject().put("created", CREATED).put("created_by", comment);
        }
        return root;
    }

    private ObjectNode manifestJson(Blob config, List<Blob> layerBlobs) {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", format.manifestType);
        descriptor(m.putObject("config"), config);
        ArrayNode ls = m.putArray("layers");
        layerBlobs.forEach(b -> descriptor(ls.addObject(), b));
        return m;
    }

    private static void descriptor(ObjectNode d, Blob b) {
        d.put("mediaType", b.mediaType());
        d.put("size", b.size());
        d.put("digest", b.digest());
    }

    private static void strings(ObjectNode o, String field, List<String> values) {
        if (values != null) {
            ArrayNode a = o.putArray(field);
            values.forEach(a::add);
        }
    }

    private static byte[] json(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** OCI/Go names of the JVM's architecture, so a puller selecting the host platform accepts the image. */
    static String hostArchitecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> arch;
        };
    }
}
