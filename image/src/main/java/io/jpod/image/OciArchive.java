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

    /** What an OCI layout holds for one image: the config, the OCI manifest and the layers (blobs as stored). */
    record Contents(byte[] config, byte[] manifest, List<Descriptor> layers) {
        String manifestDigest() {
            return Digests.sha256(manifest);
        }
    }

    /** The image's layout contents; see the class comment for which manifest is written. */
    static Contents contents(Store store, ImageRecord image) throws IOException {
        byte[] config = store.images().config(image.id());
        byte[] stored = store.images().manifest(image.id());
        ImageManifest manifest = storedManifest(store, image, stored);
        boolean oci = MediaTypes.OCI_MANIFEST.equals(manifest.mediaType())
                || manifest.mediaType() == null && MediaTypes.OCI_CONFIG.equals(manifest.config().mediaType());
        return new Contents(config, oci ? stored : toOci(manifest, new BlobStore(store)), manifest.layers());
    }

    /** The stored image manifest, once every layer blob it names is known to be in local storage. */
    static ImageManifest storedManifest(Store store, ImageRecord image, byte[] stored) {
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
        return manifest;
    }

    /** The index.json of a layout holding one image. */
    static byte[] index(Contents c, String refName) throws IOException {
        ObjectNode index = Json.mapper().createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        ObjectNode entry = index.putArray("manifests").addObject();
        entry.put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", c.manifestDigest()).put("size", c.manifest().length);
        if (refName != null) {
            entry.putObject("annotations").put(REF_NAME, refName);
        }
        return Json.mapper().writeValueAsBytes(index);
    }

    static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Writes {@code image} as an oci-archive to {@code out}; {@code refName} (null for none) becomes the ref.name annotation. */
    public static void save(Store store, ImageRecord image, String refName, OutputStream out) throws IOException {
        save(store, image, refName, false, out);
    }

    /**
     * As {@link #save(Store, ImageRecord, String, OutputStream)}; {@code uncompressed} (podman's
     * {@code --uncompressed}) writes every layer as its plain tar under its diff_id, in a manifest that says so (a new
     * manifest digest; the config, and so the image id, is unchanged).
     */
    public static void save(Store store, ImageRecord image, String refName, boolean uncompressed, OutputStream out) throws IOException {
        Contents c = contents(store, image);
        BlobStore blobs = new BlobStore(store);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        ArchiveEntries.addDir(tar, "blobs/");
        ArchiveEntries.addDir(tar, "blobs/sha256/");
        if (uncompressed) {
            List<String> diffIds = ManifestParser.parseConfig(c.config(), image.id()).diffIds();
            if (diffIds.size() != c.layers().size()) {
                throw new ImageException("image " + image.id().substring(7, 19) + " has " + c.layers().size()
                        + " layers but its config lists " + diffIds.size() + "; pull it again");
            }
            ObjectNode m = (ObjectNode) Json.mapper().readTree(c.manifest());
            ArrayNode layers = m.putArray("layers");
            for (int i = 0; i < diffIds.size(); i++) {
                Descriptor layer = c.layers().get(i);
                long size = DockerArchive.writeLayer(tar, blobName(diffIds.get(i)), blobs.path(layer.digest()), layer);
                layers.addObject().put("mediaType", MediaTypes.OCI_LAYER).put("digest", diffIds.get(i)).put("size", size);
            }
            c = new Contents(c.config(), Json.mapper().writeValueAsBytes(m), c.layers());
        }
        for (Descriptor layer : uncompressed ? List.<Descriptor>of() : c.layers()) {
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
        ArchiveEntries.addBytes(tar, blobName(Digests.sha256(c.config())), c.config());
        ArchiveEntries.addBytes(tar, blobName(c.manifestDigest()), c.manifest());
        ArchiveEntries.addBytes(tar, "oci-layout", OCI_LAYOUT);
        ArchiveEntries.addBytes(tar, "index.json", index(c, refName));
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
    static String ociLayerType(Path blob) throws IOException {
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

    /** Whether the source is an OCI layout (both {@code oci-layout} and {@code index.json} at its top). */
    static boolean isOciLayout(ArchiveSource src) {
        return src.has("oci-layout") && src.has("index.json");
    }

    /** Loads every image the layout's index.json lists (an oci-archive or an oci-dir); see the class comment for what is verified. */
    static List<ImageRecord> load(Store store, ArchiveSource src, java.util.function.Consumer<ImageProgressEvent> progress) throws IOException {
        String archive = src.shown();
        JsonNode layout = readJson(src, "oci-layout");
        if (!layout.path("imageLayoutVersion").isTextual()) {
            throw new ImageException(archive + ": oci-layout has no imageLayoutVersion; the " + src.kind() + " is corrupt");
        }
        JsonNode index = readJson(src, "index.json");
        JsonNode manifests = index.path("manifests");
        if (!manifests.isArray() || manifests.isEmpty()) {
            throw new ImageException(archive + ": index.json lists no images");
        }
        // verify and stage everything first; commit only when the whole archive is sound
        List<Pending> pending = new ArrayList<>();
        try {
            for (JsonNode d : manifests) {
                pending.add(stageOne(store, src, d, WarningLines.to(progress)));
            }
            return commit(store, pending, progress);
        } finally {
            pending.forEach(Pending::close);
        }
    }

    /** Commits images that were all staged and verified; the caller still closes them. */
    static List<ImageRecord> commit(Store store, List<Pending> pending, java.util.function.Consumer<ImageProgressEvent> progress) {
        List<ImageRecord> loaded = new ArrayList<>();
        for (Pending p : pending) {
            loaded.add(p.commit(store, progress));
        }
        return loaded;
    }

    /** One image's verified layers and blobs, staged but not yet in the store. */
    record Pending(String imageId, byte[] manifest, String manifestDigest, byte[] config, List<String> chainIds,
                           List<String> diffIds, List<StagedLayer> staged, List<BlobStore.Staged> blobs, List<String> blobDigests,
                           long size, String name) {
        ImageRecord commit(Store store, java.util.function.Consumer<ImageProgressEvent> progress) {
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
                progress.accept(new ImageProgressEvent.Loaded(name != null ? name : imageId.substring(7)));
            }
            return rec;
        }

        void close() {
            staged.stream().filter(s -> s != null).forEach(StagedLayer::close);
            blobs.stream().filter(b -> b != null).forEach(BlobStore.Staged::close);
        }
    }

    private static Pending stageOne(Store store, ArchiveSource src, JsonNode d, java.io.PrintStream warnings) throws IOException {
        String archive = src.shown();
        String mediaType = d.path("mediaType").asText("");
        String digest = d.path("digest").asText("");
        long manifestSize = d.path("size").asLong(-1);
        if (MediaTypes.isIndex(mediaType)) {
            // a multi-platform image (skopeo copy --all, buildx): the host's platform, as a pull would choose
            Manifest nested = ManifestParser.parse(smallBlob(src, digest, manifestSize), mediaType, archive);
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
        return stage(store, src, smallBlob(src, digest, manifestSize), mediaType, digest, name, warnings);
    }

    /**
     * Verifies and stages the image of {@code manifestBytes} (already checked against {@code digest}): its config and
     * every layer blob from {@code src}, each layer's diff_id; nothing is committed.
     */
    static Pending stage(Store store, ArchiveSource src, byte[] manifestBytes, String mediaType, String digest, String name,
                         java.io.PrintStream warnings)
            throws IOException {
        String archive = src.shown();
        Manifest parsed = ManifestParser.parse(manifestBytes, mediaType, archive);
        if (!(parsed instanceof ImageManifest manifest)) {
            throw new ImageException(archive + ": blob " + digest + " is not an image manifest");
        }
        byte[] config = smallBlob(src, manifest.config().digest(), manifest.config().size());
        ImageConfig cfg = ManifestParser.parseConfig(config, archive);
        List<String> diffIds = cfg.diffIds();
        List<Descriptor> layers = manifest.layers();
        if (layers.size() != diffIds.size()) {
            throw new ImageException(archive + ": the manifest lists " + layers.size() + " layers but the config has " + diffIds.size()
                    + " diff_ids; the " + src.kind() + " is corrupt");
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
                String e = blobEntry(src, layer.digest());
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
                try (InputStream raw = src.open(e)) {
                    DigestVerifyingInputStream verified = new DigestVerifyingInputStream(
                            blob == null ? raw : new TeeInputStream(raw, blob.out()), layer.digest(), layer.size());
                    StagedLayer s = layerStore.stage(LayerDecompressor.open(verified, layer.mediaType(), layer.digest()), warnings);
                    staged.add(s); // committed even when the layer exists: commit then keeps the existing copy
                    verified.drainAndVerify();
                    if (!s.diffId().equals(diffIds.get(i))) {
                        throw new ImageException(archive + ": layer " + layer.digest() + " has uncompressed digest " + s.diffId()
                                + " but the config lists " + diffIds.get(i) + "; the " + src.kind() + " is corrupt");
                    }
                } catch (IOException | RuntimeException failed) {
                    // a damaged blob usually breaks decompression before its digest can be checked: name the blob then
                    checkBlob(src, e, layer);
                    if (failed instanceof ContentMismatchException cm) {
                        throw new ImageException(archive + ": " + cm.getMessage() + "; the " + src.kind() + " is corrupt");
                    }
                    throw failed;
                }
            }
            ok = true;
            return new Pending(p.imageId(), manifestBytes, digest, config, chainIds, diffIds, staged, blobs, blobDigests, size, name);
        } catch (IOException | RuntimeException e) {
            ContentMismatchException cm = RegistryClient.cause(e, ContentMismatchException.class);
            if (cm != null && !(e instanceof ImageException)) {
                throw new ImageException(archive + ": " + cm.getMessage() + "; the " + src.kind() + " is corrupt", e);
            }
            throw e;
        } finally {
            if (!ok) {
                p.close();
            }
        }
    }

    /** Hashes the layer blob {@code name} whole: one that does not match its descriptor is refused as such. */
    private static void checkBlob(ArchiveSource src, String name, Descriptor layer) throws IOException {
        java.security.MessageDigest sha = Digests.newSha256();
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = src.open(name)) {
            for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                sha.update(buf, 0, r);
                n += r;
            }
        }
        String actual = Digests.format(sha);
        if (!actual.equals(layer.digest()) || n != layer.size()) {
            throw new ImageException(src.shown() + ": blob " + layer.digest() + " does not match its digest or size (it hashes to "
                    + actual + ", " + n + " bytes); the " + src.kind() + " is corrupt");
        }
    }

    /** The name of the blob {@code digest} in {@code src}, which must hold it. */
    private static String blobEntry(ArchiveSource src, String digest) {
        if (!Digests.isSha256(digest)) {
            throw new ImageException(src.shown() + ": blob digest \"" + ManifestParser.oneLine(digest) + "\" is not a sha256 digest");
        }
        String name = src.blobName(digest);
        if (!src.has(name)) {
            throw new ImageException(src.shown() + ": blob " + digest + " is missing from the " + src.kind());
        }
        return name;
    }

    /** A manifest or config blob, read whole and checked against its digest and (when known, {@code size >= 0}) size. */
    static byte[] smallBlob(ArchiveSource src, String digest, long size) throws IOException {
        String archive = src.shown();
        String e = blobEntry(src, digest);
        if (src.size(e) > MAX_JSON) {
            throw new ImageException(archive + ": blob " + digest + " is larger than " + MAX_JSON + " bytes");
        }
        byte[] bytes;
        try (InputStream in = src.open(e)) {
            bytes = in.readNBytes(MAX_JSON + 1);
        }
        if (!Digests.sha256(bytes).equals(digest) || size >= 0 && bytes.length != size) {
            throw new ImageException(archive + ": blob " + digest + " does not match its digest or size (it hashes to "
                    + Digests.sha256(bytes) + ", " + bytes.length + " bytes); the " + src.kind() + " is corrupt");
        }
        return bytes;
    }

    /** A small JSON document of the layout ({@code oci-layout}, {@code index.json}, a docker-dir's manifest.json), read whole. */
    static byte[] readSmall(ArchiveSource src, String name) throws IOException {
        if (src.size(name) > MAX_JSON) {
            throw new ImageException(src.shown() + ": " + name + " is larger than " + MAX_JSON + " bytes");
        }
        try (InputStream in = src.open(name)) {
            return in.readNBytes(MAX_JSON + 1);
        }
    }

    private static JsonNode readJson(ArchiveSource src, String name) throws IOException {
        try {
            JsonNode n = Json.mapper().readTree(readSmall(src, name));
            if (n == null || !n.isObject()) {
                throw new ImageException(src.shown() + ": " + name + " is not a JSON object; the " + src.kind() + " is corrupt");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new ImageException(src.shown() + ": " + name + " is not valid JSON; the " + src.kind() + " is corrupt");
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
