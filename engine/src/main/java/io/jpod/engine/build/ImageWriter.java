package io.jpod.engine.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.engine.EngineException;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import io.jpod.storage.StoreMaintenance;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Stores one build step's image: the parent's layers plus the step's layer (if it made one), under the config the
 * step produced. Manifest and config media types follow --format (oci or docker); a new layer is described as an
 * uncompressed tar named by its diff_id, as `jpod commit` does.
 */
final class ImageWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Store store;
    private final boolean docker;

    ImageWriter(Store store, String format) {
        this.store = store;
        this.docker = "docker".equals(format);
    }

    ImageRecord write(ImageRecord parent, ObjectNode config, StoreMaintenance.CommittedLayer layer) {
        try {
            if (layer != null) {
                config.with("rootfs").withArray("diff_ids").add(layer.diffId());
            }
            byte[] configBytes = JSON.writeValueAsBytes(config);
            String id = sha256(configBytes);
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", docker ? "application/vnd.docker.distribution.manifest.v2+json"
                    : "application/vnd.oci.image.manifest.v1+json");
            ObjectNode cd = manifest.putObject("config");
            cd.put("mediaType", docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json");
            cd.put("digest", id);
            cd.put("size", configBytes.length);
            ArrayNode layers = manifest.putArray("layers");
            List<String> chain = new ArrayList<>();
            long size = 0;
            if (parent != null) {
                var parentLayers = JSON.readTree(store.images().manifest(parent.id())).path("layers");
                parentLayers.forEach(l -> layers.add(l.deepCopy()));
                chain.addAll(parent.layers());
                size = parent.size();
            }
            if (layer != null) {
                ObjectNode ld = layers.addObject();
                ld.put("mediaType", docker ? "application/vnd.docker.image.rootfs.diff.tar" : "application/vnd.oci.image.layer.v1.tar");
                ld.put("digest", layer.diffId());
                ld.put("size", layer.size());
                chain.add(layer.chainId());
                size += layer.size();
            }
            byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
            return store.images().put(id, manifestBytes, configBytes, sha256(manifestBytes), chain, size, null, null);
        } catch (IOException e) {
            throw new EngineException("cannot store the image of a build step: " + e.getMessage(), e);
        }
    }

    /** --annotation: the image's manifest again with annotations (the id, its config's digest, stays). */
    ImageRecord annotate(ImageRecord image, java.util.Map<String, String> annotations) {
        try {
            ObjectNode manifest = (ObjectNode) JSON.readTree(store.images().manifest(image.id()));
            ObjectNode a = manifest.with("annotations");
            new java.util.TreeMap<>(annotations).forEach(a::put);
            byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
            return store.images().put(image.id(), manifestBytes, store.images().config(image.id()), sha256(manifestBytes),
                    image.layers(), image.size(), null, null);
        } catch (IOException e) {
            throw new EngineException("cannot store the annotations of the built image: " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
