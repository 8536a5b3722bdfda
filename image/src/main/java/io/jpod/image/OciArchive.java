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
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * oci-archive: a tarball of an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/<hex>}),
 * as containers/image writes it for `podman save --format oci-archive`. The image's name goes into the index entry's
 * {@code org.opencontainers.image.ref.name} annotation, the full name as podman writes it; podman's load reads it back
 * through its name normalisation (a short name becomes docker.io/library/…), and so does jpod.
 * <p>
 * Save writes the blobs as they are stored (compressed as pulled) and an OCI manifest: the stored one when it is OCI
 * (so the manifest digest is kept), else the Docker schema 2 manifest converted with the same config bytes (so the
 * image id is kept). Load verifies every blob's sha256 and size and every layer's diff_id before anything is
 * committed, so a refused archive leaves the store as it was.
 */
public final class OciArchive {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final int MAX_JSON = ManifestParser.MAX_DOCUMENT_BYTES;

    private OciArchive() {
    }

    /** Writes {@code image} as an oci-archive to {@code out}; {@code refName} (null for none) becomes the ref.name annotation. */
    public static void save(Store store, ImageRecord image, String refName, OutputStream out) throws IOException {
        byte[] config = store.images().config(image.id());
        byte[] stored = store.images().manifest(image.id());
        Manifest parsed = ManifestParser.parse(stored, null, image.id());
        if (!(parsed instanceof ImageManifest manifest)) {
            throw new ImageException("image " + image.id() + " has no image manifest in storage; pull it again");
        }
        BlobStore blobs = new BlobStore(store);
        for (Descriptor layer : manifest.layers()) {
            if (!Files.isRegularFile(blobs.path(layer.digest()))) {
                throw new ImageException("the compressed blob " + layer.digest() + " of image " + image.id().substring(7, 19)
                        + " is not in local storage (pulled by an older jpod); pull the image again, then save");
            }
        }
        boolean oci = MediaTypes.OCI_MANIFEST.equals(manifest.mediaType())
                || manifest.mediaType() == null && MediaTypes.OCI_CONFIG.equals(manifest.config().mediaType());
        byte[] manifestBytes = oci ? stored : toOci(manifest, blobs);

        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        ArchiveEntries.addDir(tar, "blobs/");
        ArchiveEntries.addDir(tar, "blobs/sha256/");
        for (Descriptor layer : manifest.layers()) {
            Path blob = blobs.path(layer.digest());
            TarArchiveEntry e = new TarArchiveEntry(blobName(layer.digest()));
            e.setSize(Files.size(blob));
            e.setMode(0644);
            tar.putArchiveEntry(e);
            try (InputStream in = Files.newInputStream(blob)) {
                in.transferTo(tar);
            }
            tar.closeArchiveEntry();
        }
        ArchiveEntries.addBytes(tar, blobName(Digests.sha256(config)), config);
        String manifestDigest = Digests.sha256(manifestBytes);
        ArchiveEntries.addBytes(tar, blobName(manifestDigest), manifestBytes);
        ArchiveEntries.addBytes(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ObjectNode index = Json.mapper().createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        ObjectNode entry = index.putArray("manifests").addObject();
        entry.put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", manifestDigest).put("size", manifestBytes.length);
        if (refName != null) {
            entry.putObject("annotations").put(REF_NAME, refName);
        }
        ArchiveEntries.addBytes(tar, "index.json", Json.mapper().writeValueAsBytes(index));
        tar.finish();
        tar.flush();
    }

    /** The Docker schema 2 manifest as an OCI one: same config bytes and blobs, OCI media types (layers sniffed). */
    private static byte[] toOci(ImageManifest manifest, BlobStore blobs) throws IOException {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
        m.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG).put("digest", manifest.config().digest())
                .put("size", manifest.config().size());
        ArrayNode layers = m.putArray("layers");
        for (Descriptor l : manifest.layers()) {
            layers.addObject().put("mediaType", ociLayerType(blobs.path(l.digest()))).put("digest", l.digest()).put("size", l.size());
        }
        return Json.mapper().writeValueAsBytes(m);
    }

    /** By the blob's magic bytes: a docker-archive load keeps plain tars under the (gzip) Docker layer type. */
    private static String ociLayerType(Path blob) throws IOException {
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(blob)) {
            n = in.readNBytes(head, 0, 4);
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return MediaTypes.OCI_LAYER_GZIP;
        }
        if (n == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return MediaTypes.OCI_LAYER_ZSTD;
        }
        return MediaTypes.OCI_LAYER;
    }

    private static String blobName(String digest) {
        return "blobs/sha256/" + Digests.hex(digest);
    }



    // ---------------------------------------------------------------- load

    /** Whether the opened archive is an OCI layout (both {@code oci-layout} and {@code index.json} at its top). */
    static boolean isOciLayout(Map<String, TarArchiveEntry> entries) {
        return entries.containsKey("oci-layout") && entries.containsKey("index.json");
    }

    /** Loads every image the archive's index.json lists; see the class comment for what is verified. */
    static List<ImageRecord> load(Store store, TarFile tar, Map<String, TarArchiveEntry> entries, String archive, PrintStream progress)
            throws IOException {
        JsonNode layout = readJson(tar, entries.get("oci-layout"), archive);
        if (!layout.path("imageLayoutVersion").isTextual()) {
            throw new ImageException(archive + ": oci-layout has no imageLayoutVersion; the archive is corrupt");
        }
        JsonNode index = readJson(tar, entries.get("index.json"), archive);
        JsonNode manifests = index.path("manifests");
        if (!manifests.isArray() || manifests.isEmpty()) {
            throw new ImageException(archive + ": index.json lists no images");
        }
        // verify and stage everything first; commit only when the whole archive is sound
        List<Pending> pending = new ArrayList<>();
        try {
            for (JsonNode d : manifests) {
                pending.add(stageOne(store, tar, entries, d, archive));
            }
            List<ImageRecord> loaded = new ArrayList<>();
            for (Pending p : pending) {
                loaded.add(p.commit(store, progress));
            }
            return loaded;
        } finally {
            pending.forEach(Pending::close);
        }
    }

    private record Pending(String imageId, byte[] manifest, String manifestDigest, byte[] config, List<String> chainIds,
                           List<String> diffIds, List<StagedLayer> staged, List<BlobStore.Staged> blobs, List<String> blobDigests,
                           long size, String name) {
        ImageRecord commit(Store store, PrintStream progress) {
            for (int i = 0; i < chainIds.size(); i++) {
                StagedLayer s = staged.get(i);
                if (s != null) {
                    s.commit(chainIds.get(i), diffIds.get(i), i == 0 ? null : chainIds.get(i - 1));
                }
            }
            for (int i = 0; i < blobs.size(); i++) {
                if (blobs.get(i) != null) {
                    blobs.get(i).commit(blobDigests.get(i));
                }
            }
            ImageRecord rec = store.images().put(imageId, manifest, config, manifestDigest, chainIds, size, name, null);
            if (progress != null) {
                progress.println("Loaded image: " + (name != null ? name : imageId.substring(7)));
            }
            return rec;
        }

        void close() {
            staged.stream().filter(s -> s != null).forEach(StagedLayer::close);
            blobs.stream().filter(b -> b != null).forEach(BlobStore.Staged::close);
        }
    }

    private static Pending stageOne(Store store, TarFile tar, Map<String, TarArchiveEntry> entries, JsonNode d, String archive)
            throws IOException {
        String mediaType = d.path("mediaType").asText("");
        String digest = d.path("digest").asText("");
        long manifestSize = d.path("size").asLong(-1);
        if (MediaTypes.isIndex(mediaType)) {
            // a multi-platform image (skopeo copy --all, buildx): the host's platform, as a pull would choose
            Manifest nested = ManifestParser.parse(smallBlob(tar, entries, digest, manifestSize, archive), mediaType, archive);
            if (!(nested instanceof ImageIndex list)) {
                throw new ImageException(archive + ": blob " + digest + " is not an image index");
            }
            Descriptor chosen = PlatformMatcher.select(list, Platform.host(), archive);
            mediaType = chosen.mediaType();
            digest = chosen.digest();
            manifestSize = chosen.size();
        }
        if (!MediaTypes.isImageManifest(mediaType)) {
            throw new ImageException(archive + ": index.json names " + digest + " of media type \"" + mediaType
                    + "\", not an image manifest");
        }
        String name = null;
        String refName = d.path("annotations").path(REF_NAME).asText("");
        if (!refName.isEmpty()) {
            try {
                name = ImageReference.parse(refName).name(); // podman normalises the annotation the same way
            } catch (RuntimeException e) {
                throw new ImageException(archive + ": the image name \"" + refName + "\" in index.json is not a valid reference");
            }
        }
        byte[] manifestBytes = smallBlob(tar, entries, digest, manifestSize, archive);
        Manifest parsed = ManifestParser.parse(manifestBytes, mediaType, archive);
        if (!(parsed instanceof ImageManifest manifest)) {
            throw new ImageException(archive + ": blob " + digest + " is not an image manifest");
        }
        byte[] config = smallBlob(tar, entries, manifest.config().digest(), manifest.config().size(), archive);
        ImageConfig cfg = ManifestParser.parseConfig(config, archive);
        List<String> diffIds = cfg.diffIds();
        List<Descriptor> layers = manifest.layers();
        if (layers.size() != diffIds.size()) {
            throw new ImageException(archive + ": the manifest lists " + layers.size() + " layers but the config has " + diffIds.size()
                    + " diff_ids; the archive is corrupt");
        }
        LayerStore layerStore = store.layers();
        BlobStore blobStore = new BlobStore(store);
        List<String> chainIds = new ArrayList<>();
        List<StagedLayer> staged = new ArrayList<>();
        List<BlobStore.Staged> blobs = new ArrayList<>();
        List<String> blobDigests = new ArrayList<>();
        Pending p = new Pending(Digests.sha256(config), manifestBytes, digest, config, chainIds, diffIds, staged, blobs, blobDigests,
                0, name);
        boolean ok = false;
        try {
            long size = config.length;
            String parent = null;
            for (int i = 0; i < layers.size(); i++) {
                Descriptor layer = layers.get(i);
                String chain = LayerStore.chainId(parent, diffIds.get(i));
                chainIds.add(chain);
                parent = chain;
                size += layer.size();
                TarArchiveEntry e = blobEntry(entries, layer.digest(), archive);
                boolean needLayer = !layerStore.exists(chain);
                boolean needBlob = !blobStore.exists(layer.digest());
                if (!needLayer && !needBlob) {
                    staged.add(null);
                    blobs.add(null);
                    blobDigests.add(layer.digest());
                    continue;
                }
                BlobStore.Staged blob = needBlob ? blobStore.stage() : null;
                blobs.add(blob);
                blobDigests.add(layer.digest());
                try (InputStream raw = tar.getInputStream(e)) {
                    DigestVerifyingInputStream verified = new DigestVerifyingInputStream(
                            blob == null ? raw : new TeeInputStream(raw, blob.out()), layer.digest(), layer.size());
                    StagedLayer s = layerStore.stage(LayerDecompressor.open(verified, layer.mediaType(), layer.digest()));
                    staged.add(s); // committed even when the layer exists: commit then keeps the existing copy
                    verified.drainAndVerify();
                    if (!s.diffId().equals(diffIds.get(i))) {
                        throw new ImageException(archive + ": layer " + layer.digest() + " has uncompressed digest " + s.diffId()
                                + " but the config lists " + diffIds.get(i) + "; the archive is corrupt");
                    }
                } catch (ContentMismatchException cm) {
                    throw new ImageException(archive + ": " + cm.getMessage() + "; the archive is corrupt");
                }
            }
            ok = true;
            return new Pending(p.imageId(), manifestBytes, digest, config, chainIds, diffIds, staged, blobs, blobDigests, size, name);
        } catch (IOException | RuntimeException e) {
            ContentMismatchException cm = RegistryClient.cause(e, ContentMismatchException.class);
            if (cm != null && !(e instanceof ImageException)) {
                throw new ImageException(archive + ": " + cm.getMessage() + "; the archive is corrupt", e);
            }
            throw e;
        } finally {
            if (!ok) {
                p.close();
            }
        }
    }

    private static TarArchiveEntry blobEntry(Map<String, TarArchiveEntry> entries, String digest, String archive) {
        if (!Digests.isSha256(digest)) {
            throw new ImageException(archive + ": blob digest \"" + digest + "\" is not a sha256 digest");
        }
        TarArchiveEntry e = entries.get(blobName(digest));
        if (e == null) {
            throw new ImageException(archive + ": blob " + digest + " is missing from the archive");
        }
        return e;
    }

    private static byte[] smallBlob(TarFile tar, Map<String, TarArchiveEntry> entries, String digest, long size, String archive)
            throws IOException {
        TarArchiveEntry e = blobEntry(entries, digest, archive);
        if (e.getSize() > MAX_JSON) {
            throw new ImageException(archive + ": blob " + digest + " is larger than " + MAX_JSON + " bytes");
        }
        byte[] bytes;
        try (InputStream in = tar.getInputStream(e)) {
            bytes = in.readAllBytes();
        }
        if (!Digests.sha256(bytes).equals(digest) || size >= 0 && bytes.length != size) {
            throw new ImageException(archive + ": blob " + digest + " does not match its digest or size (it hashes to "
                    + Digests.sha256(bytes) + ", " + bytes.length + " bytes); the archive is corrupt");
        }
        return bytes;
    }

    private static JsonNode readJson(TarFile tar, TarArchiveEntry e, String archive) throws IOException {
        if (e.getSize() > MAX_JSON) {
            throw new ImageException(archive + ": " + e.getName() + " is larger than " + MAX_JSON + " bytes");
        }
        try (InputStream in = tar.getInputStream(e)) {
            JsonNode n = Json.mapper().readTree(in.readAllBytes());
            if (n == null || !n.isObject()) {
                throw new ImageException(archive + ": " + e.getName() + " is not a JSON object; the archive is corrupt");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new ImageException(archive + ": " + e.getName() + " is not valid JSON; the archive is corrupt");
        }
    }

    /**
     * The archive's regular files by name ("./" stripped), links resolved to the file they name (docker save links a
     * layer.tar it already wrote). Refuses names and link targets that leave the archive ({@code ..} past the top,
     * absolute paths): no loader extracts by name, but such an archive is hostile or broken either way.
     */
    static Map<String, TarArchiveEntry> entries(TarFile tar, String archive) {
        Map<String, TarArchiveEntry> all = new HashMap<>();
        for (TarArchiveEntry e : tar.getEntries()) {
            all.put(normalise(e.getName(), e.getName(), archive), e);
        }
        Map<String, TarArchiveEntry> out = new HashMap<>();
        for (Map.Entry<String, TarArchiveEntry> en : all.entrySet()) {
            TarArchiveEntry e = en.getValue();
            String name = en.getKey();
            for (int hops = 0; e != null && (e.isSymbolicLink() || e.isLink()) && hops < 16; hops++) {
                String target = e.getLinkName();
                if (target.startsWith("/")) {
                    throw outside(e.getName(), archive);
                }
                if (e.isSymbolicLink()) {
                    int slash = name.lastIndexOf('/');
                    target = (slash < 0 ? "" : name.substring(0, slash + 1)) + target;
                }
                name = normalise(target, e.getName(), archive);
                e = all.get(name);
            }
            if (e != null && e.isFile()) {
                out.put(en.getKey(), e);
            }
        }
        return out;
    }

    /** "./a/b/../c" → "a/c"; a name that is absolute or climbs above the top is refused. */
    private static String normalise(String name, String entry, String archive) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        if (name.startsWith("/")) {
            throw outside(entry, archive);
        }
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw outside(entry, archive);
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    private static ImageException outside(String entry, String archive) {
        return new ImageException(archive + ": entry \"" + ManifestParser.oneLine(entry) + "\" points outside the archive; refusing it");
    }
}
