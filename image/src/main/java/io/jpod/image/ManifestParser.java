package io.jpod.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Parses manifests and configs as received from a registry, refusing what jpod cannot or must not use:
 * schema 1, oversized documents, malformed JSON, digests other than sha256.
 */
public final class ManifestParser {
    /** Upper bound for manifests and configs; registries enforce the same 4 MiB for manifests. */
    public static final int MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

    private ManifestParser() {
    }

    /**
     * @param raw         the bytes exactly as received
     * @param contentType the Content-Type header (may be null); used when the document has no mediaType field
     * @param image       the image name, for error messages
     */
    public static Manifest parse(byte[] raw, String contentType, String image) {
        String what = "manifest for " + image;
        if (raw.length > MAX_DOCUMENT_BYTES) {
            throw new ImageException(what + ": " + raw.length + " bytes is more than the " + MAX_DOCUMENT_BYTES + " bytes allowed");
        }
        JsonNode root = readTree(raw, what);
        JsonNode sv = root.get("schemaVersion");
        String mediaType = text(root, "mediaType", what);
        String header = MediaTypes.base(contentType);
        if ((sv != null && sv.isInt() && sv.intValue() == 1) || MediaTypes.isSchema1(mediaType)
                || (mediaType == null && MediaTypes.isSchema1(header))) {
            throw new ImageException("image \"" + image + "\" uses Docker image manifest schema 1, which is deprecated and unsupported;"
                    + " ask the publisher to push a current image");
        }
        if (sv == null || !sv.isInt() || sv.intValue() != 2) {
            throw new ImageException(what + ": unsupported schemaVersion " + (sv == null ? "(missing)" : sv.toString()) + ", expected 2");
        }
        boolean index;
        if (mediaType != null) {
            if (MediaTypes.isIndex(mediaType)) {
                index = true;
            } else if (MediaTypes.isImageManifest(mediaType)) {
                index = false;
            } else {
                throw new ImageException(what + ": unsupported manifest media type \"" + mediaType + "\"");
            }
        } else if (MediaTypes.isIndex(header)) {
            index = true;
        } else if (MediaTypes.isImageManifest(header)) {
            index = false;
        } else if (root.has("manifests") && !root.has("config")) {
            index = true; // OCI allows omitting mediaType; a generic Content-Type leaves the shape to decide
        } else if (root.has("config") && !root.has("manifests")) {
            index = false;
        } else {
            throw new ImageException(what + ": cannot tell whether this is an image manifest or an index"
                    + " (no mediaType, Content-Type \"" + contentType + "\")");
        }
        return index ? parseIndex(root, what) : parseImageManifest(root, what);
    }

    /** Parses and validates an image config blob. */
    public static ImageConfig parseConfig(byte[] raw, String image) {
        String what = "config of " + image;
        if (raw.length > MAX_DOCUMENT_BYTES) {
            throw new ImageException(what + ": " + raw.length + " bytes is more than the " + MAX_DOCUMENT_BYTES + " bytes allowed");
        }
        JsonNode root = readTree(raw, what);
        JsonNode rootfs = root.get("rootfs");
        if (rootfs == null || !rootfs.isObject()) {
            throw new ImageException(what + ": missing rootfs; the image is corrupt");
        }
        JsonNode type = rootfs.get("type");
        if (type != null && !type.isNull() && !"layers".equals(type.asText())) {
            throw new ImageException(what + ": unsupported rootfs type \"" + type.asText() + "\"");
        }
        JsonNode diffIds = rootfs.get("diff_ids");
        if (diffIds != null && !diffIds.isNull()) {
            if (!diffIds.isArray()) {
                throw new ImageException(what + ": rootfs.diff_ids is not a list");
            }
            for (int i = 0; i < diffIds.size(); i++) {
                checkDigest(diffIds.get(i), "rootfs.diff_ids[" + i + "]", what);
            }
        }
        return map(root, ImageConfig.class, what);
    }

    private static ImageManifest parseImageManifest(JsonNode root, String what) {
        JsonNode config = root.get("config");
        if (config == null || !config.isObject()) {
            throw new ImageException(what + ": missing config descriptor");
        }
        checkDescriptor(config, "config", what);
        JsonNode layers = root.get("layers");
        if (layers != null && !layers.isNull()) {
            if (!layers.isArray()) {
                throw new ImageException(what + ": layers is not a list");
            }
            for (int i = 0; i < layers.size(); i++) {
                checkDescriptor(layers.get(i), "layers[" + i + "]", what);
            }
        }
        checkOptionalDescriptor(root.get("subject"), "subject", what);
        return map(root, ImageManifest.class, what);
    }

    private static ImageIndex parseIndex(JsonNode root, String what) {
        JsonNode manifests = root.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw new ImageException(what + ": index without a manifests list");
        }
        for (int i = 0; i < manifests.size(); i++) {
            checkDescriptor(manifests.get(i), "manifests[" + i + "]", what);
        }
        checkOptionalDescriptor(root.get("subject"), "subject", what);
        return map(root, ImageIndex.class, what);
    }

    private static void checkOptionalDescriptor(JsonNode node, String field, String what) {
        if (node != null && !node.isNull()) {
            checkDescriptor(node, field, what);
        }
    }

    private static void checkDescriptor(JsonNode node, String field, String what) {
        if (node == null || !node.isObject()) {
            throw new ImageException(what + ": " + field + " is not a descriptor object");
        }
        checkDigest(node.get("digest"), field + ".digest", what);
        JsonNode size = node.get("size");
        if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
            throw new ImageException(what + ": " + field + ".size " + (size == null ? "is missing" : size + " is not a valid size"));
        }
        JsonNode mediaType = node.get("mediaType");
        if (mediaType != null && !mediaType.isNull() && !mediaType.isTextual()) {
            throw new ImageException(what + ": " + field + ".mediaType is not a string");
        }
    }

    private static void checkDigest(JsonNode node, String field, String what) {
        if (node == null || node.isNull()) {
            throw new ImageException(what + ": " + field + " is missing");
        }
        if (!node.isTextual() || !Digests.isSha256(node.textValue())) {
            throw new ImageException(what + ": " + field + " " + node + " is not a sha256 digest"
                    + " (only sha256:<64 lowercase hex> is supported)");
        }
    }

    private static String text(JsonNode root, String field, String what) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ImageException(what + ": " + field + " is not a string");
        }
        return n.textValue();
    }

    private static JsonNode readTree(byte[] raw, String what) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(raw);
        } catch (JsonProcessingException e) {
            throw new ImageException(what + ": malformed JSON: " + oneLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ImageException(what + ": unreadable JSON: " + oneLine(e.getMessage()), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ImageException(what + ": empty document");
        }
        if (!root.isObject()) {
            throw new ImageException(what + ": not a JSON object");
        }
        return root;
    }

    private static <T> T map(JsonNode root, Class<T> type, String what) {
        try {
            return Json.mapper().treeToValue(root, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new ImageException(what + ": invalid structure: " + oneLine(msg), e);
        }
    }

    static String oneLine(String s) {
        if (s == null) {
            return "(no detail)";
        }
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).trim();
    }
}
