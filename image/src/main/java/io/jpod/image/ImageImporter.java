package io.jpod.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.storage.BlobStore;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.LayerStore;
import io.jpod.storage.StagedLayer;
import io.jpod.storage.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * `jpod import`: a root file system tarball (plain, gzip or zstd) becomes a one-layer image; {@code --change} takes
 * Dockerfile instructions (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, STOPSIGNAL, VOLUME) for its config.
 */
public final class ImageImporter {
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ImageImporter() {
    }

    /**
     * @param name     the qualified name to store it under, or null for an image without a name
     * @param warnings the unpacker's warnings (skipped device nodes, …) as events; null: nowhere
     */
    public static ImageRecord importTarball(Store store, InputStream tarball, List<String> changes, String message, String name,
                                           java.util.function.Consumer<ImageProgressEvent> warnings) throws IOException {
        ObjectNode configSection = Json.mapper().createObjectNode();
        configSection.putArray("Env").add(DEFAULT_PATH);
        for (String change : changes) {
            apply(configSection, change);
        }
        BlobStore blobs = new BlobStore(store);
        LayerStore layers = store.layers();
        try (BlobStore.Staged blob = blobs.stage()) {
            CountingTee tee = new CountingTee(tarball, blob.out());
            try (StagedLayer staged = layers.stage(LayerDecompressor.open(tee, MediaTypes.OCI_LAYER, "(imported tarball)"),
                    WarningLines.to(warnings))) {
                String diffId = staged.diffId();
                String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
                ObjectNode config = Json.mapper().createObjectNode();
                config.put("created", created);
                config.put("architecture", Platform.host().architecture());
                config.put("os", "linux");
                config.set("config", configSection);
                ObjectNode rootfs = config.putObject("rootfs");
                rootfs.put("type", "layers");
                rootfs.putArray("diff_ids").add(diffId);
                ObjectNode h = config.putArray("history").addObject();
                h.put("created", created).put("created_by", "/bin/sh -c #(nop) ADD file:" + diffId.substring(7) + " in / ");
                h.put("comment", message != null ? message : "imported from tarball");
                byte[] configBytes = Json.mapper().writeValueAsBytes(config);
                String imageId = Digests.sha256(configBytes);
                String chain = LayerStore.chainId(null, diffId);
                if (!layers.exists(chain)) {
                    staged.commit(chain, diffId, null);
                }
                boolean plain = tee.count == staged.size();
                if (plain && !blobs.exists(diffId)) {
                    blob.commit(diffId); // the plain tarball is the layer blob as pushed
                }
                ObjectNode manifest = Json.mapper().createObjectNode();
                manifest.put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
                manifest.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG).put("digest", imageId).put("size", configBytes.length);
                manifest.putArray("layers").addObject().put("mediaType", MediaTypes.OCI_LAYER).put("digest", diffId).put("size", staged.size());
                byte[] manifestBytes = Json.mapper().writeValueAsBytes(manifest);
                return store.images().put(imageId, manifestBytes, configBytes, Digests.sha256(manifestBytes), List.of(chain),
                        staged.size() + configBytes.length, name, null);
            }
        }
    }

    /** One Dockerfile instruction, "CMD [\"sh\"]" or "ENV K=V" (podman also accepts "ENV=K=V"). */
    static void apply(ObjectNode c, String change) {
        String s = change.strip();
        int split = 0;
        while (split < s.length() && s.charAt(split) != ' ' && s.charAt(split) != '=') {
            split++;
        }
        if (split == 0 || split >= s.length()) {
            throw new ImageException("invalid --change \"" + change + "\": expected INSTRUCTION VALUE, e.g. CMD [\"sh\"]");
        }
        String instruction = s.substring(0, split).toUpperCase(Locale.ROOT);
        String value = s.substring(split + 1).strip();
        switch (instruction) {
            case "CMD", "ENTRYPOINT" -> c.set(instruction.equals("CMD") ? "Cmd" : "Entrypoint", command(value, change));
            case "ENV" -> {
                int eq = value.indexOf('=');
                int sp = value.indexOf(' ');
                String kv = eq > 0 && (sp < 0 || eq < sp) ? value : sp > 0 ? value.substring(0, sp) + "=" + value.substring(sp + 1).strip() : null;
                if (kv == null) {
                    throw new ImageException("invalid --change \"" + change + "\": ENV needs KEY=VALUE");
                }
                ArrayNode env = (ArrayNode) c.get("Env");
                String key = kv.substring(0, kv.indexOf('=') + 1);
                for (int i = env.size() - 1; i >= 0; i--) {
                    if (env.get(i).asText().startsWith(key)) {
                        env.remove(i);
                    }
                }
                env.add(kv);
            }
            case "WORKDIR" -> c.put("WorkingDir", value);
            case "USER" -> c.put("User", value);
            case "STOPSIGNAL" -> c.put("StopSignal", value);
            case "LABEL" -> {
                int eq = value.indexOf('=');
                if (eq <= 0) {
                    throw new ImageException("invalid --change \"" + change + "\": LABEL needs KEY=VALUE");
                }
                ObjectNode labels = c.has("Labels") ? (ObjectNode) c.get("Labels") : c.putObject("Labels");
                labels.put(unquote(value.substring(0, eq)), unquote(value.substring(eq + 1)));
            }
            case "EXPOSE" -> {
                ObjectNode ports = c.has("ExposedPorts") ? (ObjectNode) c.get("ExposedPorts") : c.putObject("ExposedPorts");
                for (String p : value.split("\\s+")) {
                    ports.putObject(p.contains("/") ? p : p + "/tcp");
                }
            }
            case "VOLUME" -> {
                ObjectNode vols = c.has("Volumes") ? (ObjectNode) c.get("Volumes") : c.putObject("Volumes");
                JsonNode list = value.startsWith("[") ? command(value, change) : null;
                if (list != null) {
                    list.forEach(v -> vols.putObject(v.asText()));
                } else {
                    for (String v : value.split("\\s+")) {
                        vols.putObject(v);
                    }
                }
            }
            default -> throw new ImageException("invalid --change \"" + change
                    + "\": jpod import supports CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, STOPSIGNAL and VOLUME");
        }
    }

    /** JSON array form, or shell form wrapped in /bin/sh -c, as a Dockerfile does. */
    private static ArrayNode command(String value, String change) {
        if (value.startsWith("[")) {
            try {
                JsonNode n = Json.mapper().readTree(value);
                if (n instanceof ArrayNode a) {
                    return a;
                }
            } catch (IOException e) {
                // reported below
            }
            throw new ImageException("invalid --change \"" + change + "\": not a JSON array of strings");
        }
        ArrayNode a = Json.mapper().createArrayNode();
        a.add("/bin/sh").add("-c").add(value);
        return a;
    }

    private static String unquote(String s) {
        String t = s.strip();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    private static final class CountingTee extends java.io.FilterInputStream {
        private final OutputStream copy;
        long count;

        CountingTee(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                copy.write(b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                copy.write(b, off, n);
                count += n;
            }
            return n;
        }
    }
}
