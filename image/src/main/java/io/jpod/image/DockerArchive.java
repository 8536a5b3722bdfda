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
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * docker-archive, as `docker save` writes it and `docker load`/`podman load` read it: {@code manifest.json}
 * ([{Config, RepoTags, Layers}], one entry per image), the config as {@code <id>.json} and one uncompressed layer tar
 * per layer: save names it {@code <diff_id hex>.tar} as podman does, load takes any name manifest.json gives. The image
 * id is the config digest, so `jpod images` shows the id docker and podman show for the archive.
 */
public final class DockerArchive {
    private static final int MAX_JSON = ManifestParser.MAX_DOCUMENT_BYTES;

    private DockerArchive() {
    }

    /**
     * Writes {@code images} (uncompressing their kept layer blobs), one manifest.json entry each with its names as
     * RepoTags. Layers are named {@code <diff_id hex>.tar}, as podman writes them, so a layer two images share is
     * written once and both entries name it.
     */
    public static void save(Store store, List<ImageArchives.Saved> images, OutputStream out) throws IOException {
        BlobStore blobs = new BlobStore(store);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        java.util.Set<String> written = new java.util.HashSet<>();
        ArrayNode top = Json.mapper().createArrayNode();
        for (ImageArchives.Saved saved : images) {
            ImageRecord image = saved.image();
            byte[] config = store.images().config(image.id());
            ImageManifest manifest = OciArchive.storedManifest(store, image, store.images().manifest(image.id()));
            List<String> diffIds = ManifestParser.parseConfig(config, image.id()).diffIds();
            if (diffIds.size() != manifest.layers().size()) {
                throw new ImageException("image " + image.id().substring(7, 19) + " has " + manifest.layers().size()
                        + " layers but its config lists " + diffIds.size() + "; pull it again");
            }
            String idHex = image.id().substring(7);
            ObjectNode entry = top.addObject();
            entry.put("Config", idHex + ".json");
            ArrayNode tags = entry.putArray("RepoTags");
            saved.names().forEach(tags::add);
            ArrayNode layerNames = entry.putArray("Layers");
            if (written.add(entry.path("Config").asText())) {
                ArchiveEntries.addBytes(tar, idHex + ".json", config);
            }
            for (int i = 0; i < diffIds.size(); i++) {
                Descriptor layer = manifest.layers().get(i);
                String name = Digests.hex(diffIds.get(i)) + ".tar";
                layerNames.add(name);
                if (written.add(name)) {
                    writeLayer(tar, name, blobs.path(layer.digest()), layer);
                }
            }
        }
        ArchiveEntries.addBytes(tar, "manifest.json", Json.mapper().writeValueAsBytes(top));
        tar.finish();
        tar.flush();
    }

    /** One layer uncompressed (returns its size); its size is needed up front for the tar header, so it is decompressed once to count, then to copy. */
    static long writeLayer(TarArchiveOutputStream tar, String name, Path blob, Descriptor layer) throws IOException {
        long size;
        try (InputStream in = LayerDecompressor.open(Files.newInputStream(blob), layer.mediaType(), layer.digest())) {
            size = in.transferTo(OutputStream.nullOutputStream());
        }
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(0644);
        tar.putArchiveEntry(e);
        try (InputStream in = LayerDecompressor.open(Files.newInputStream(blob), layer.mediaType(), layer.digest())) {
            in.transferTo(tar);
        }
        tar.closeArchiveEntry();
        return size;
    }


    /**
     * Loads every image of the archive file: layers unpacked and verified against the config's diff_ids (all or
     * nothing per image), the uncompressed layer kept as its blob (for push), names from RepoTags.
     *
     * @return the loaded records
     */
    public static List<ImageRecord> load(Store store, Path archive, java.util.function.Consumer<ImageProgressEvent> progress) throws IOException {
        try (TarFile tar = new TarFile(archive.toFile())) {
            return load(store, tar, archive.toString(), progress);
        }
    }

    static List<ImageRecord> load(Store store, TarFile tar, String archive, java.util.function.Consumer<ImageProgressEvent> progress) throws IOException {
        List<ImageRecord> loaded = new ArrayList<>();
        java.util.Map<String, TarArchiveEntry> entries = OciArchive.entries(tar, archive);
        {
            TarArchiveEntry manifestEntry = entry(entries, "manifest.json");
            if (manifestEntry == null) {
                throw new ImageException(archive + " is not a docker-archive (no manifest.json); jpod load reads docker-archive tarballs");
            }
            JsonNode top = Json.mapper().readTree(read(tar, manifestEntry));
            if (top == null || !top.isArray() || top.isEmpty()) {
                throw new ImageException(archive + ": manifest.json lists no images");
            }
            // every image verified and staged first, then all committed: a bad image leaves the store as it was
            List<StagedLayer> staged = new ArrayList<>();
            List<BlobStore.Staged> keptBlobs = new ArrayList<>();
            try {
                List<java.util.function.Supplier<ImageRecord>> commits = new ArrayList<>();
                for (JsonNode img : top) {
                    commits.add(stageOne(store, tar, entries, img, archive, progress, staged, keptBlobs));
                }
                commits.forEach(c -> loaded.add(c.get()));
            } finally {
                staged.forEach(StagedLayer::close);
                keptBlobs.forEach(BlobStore.Staged::close);
            }
        }
        return loaded;
    }

    /**
     * Verifies and stages one image of the archive into {@code staged} and {@code keptBlobs} (closed by the caller);
     * the returned supplier commits it. A layer two images share is staged for each (the first commit wins).
     */
    private static java.util.function.Supplier<ImageRecord> stageOne(Store store, TarFile tar, java.util.Map<String, TarArchiveEntry> entries,
            JsonNode img, String archive, java.util.function.Consumer<ImageProgressEvent> progress, List<StagedLayer> staged, List<BlobStore.Staged> keptBlobs) throws IOException {
        TarArchiveEntry configEntry = entry(entries, img.path("Config").asText(""));
        if (configEntry == null) {
            throw new ImageException(archive + ": the config " + img.path("Config") + " named in manifest.json is missing");
        }
        byte[] config = read(tar, configEntry);
        ImageConfig parsed = ManifestParser.parseConfig(config, archive.toString());
        List<String> diffIds = parsed.diffIds();
        JsonNode layerNames = img.path("Layers");
        if (layerNames.size() != diffIds.size()) {
            throw new ImageException(archive + ": manifest.json lists " + layerNames.size() + " layers but the config has " + diffIds.size()
                    + " diff_ids; the archive is corrupt");
        }
        String imageId = Digests.sha256(config);
        LayerStore layers = store.layers();
        BlobStore blobs = new BlobStore(store);
        List<String> chainIds = new ArrayList<>();
        List<Runnable> commits = new ArrayList<>();
        ObjectNode manifest = Json.mapper().createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", MediaTypes.DOCKER_MANIFEST);
        manifest.putObject("config").put("mediaType", MediaTypes.DOCKER_CONFIG).put("size", config.length).put("digest", imageId);
        ArrayNode mlayers = manifest.putArray("layers");
        long size = config.length;
        {
            String parent = null;
            for (int i = 0; i < diffIds.size(); i++) {
                String chain = LayerStore.chainId(parent, diffIds.get(i));
                chainIds.add(chain);
                TarArchiveEntry le = entry(entries, layerNames.get(i).asText(""));
                if (le == null) {
                    throw new ImageException(archive + ": layer " + layerNames.get(i) + " named in manifest.json is missing");
                }
                long blobSize;
                boolean needLayer = !layers.exists(chain);
                boolean needBlob = !blobs.exists(diffIds.get(i));
                if (needLayer || needBlob) {
                    BlobStore.Staged blob = needBlob ? blobs.stage() : null;
                    try (InputStream raw = tar.getInputStream(le)) {
                        // a compressed layer.tar is legal too: keep the bytes as they are only when they are the plain tar
                        InputStream tarStream = LayerDecompressor.open(blob == null ? raw : new TeeInputStream(raw, blob.out()),
                                MediaTypes.DOCKER_LAYER, diffIds.get(i));
                        StagedLayer s = layers.stage(tarStream, WarningLines.to(progress));
                        staged.add(s);
                        if (!s.diffId().equals(diffIds.get(i))) {
                            throw new ImageException(archive + ": layer " + layerNames.get(i) + " has digest " + s.diffId()
                                    + " but the config lists " + diffIds.get(i) + "; the archive is corrupt");
                        }
                        if (needLayer) {
                            String c = chain;
                            String d = diffIds.get(i);
                            String p = parent;
                            commits.add(() -> s.commit(c, d, p)); // once every layer verified: all or nothing
                        }
                        blobSize = s.size();
                    }
                    if (blob != null) {
                        keptBlobs.add(blob);
                        if (le.getSize() == blobSize) {
                            String d = diffIds.get(i);
                            commits.add(() -> blob.commit(d)); // plain tar: its digest is the diff_id
                        }
                    }
                } else {
                    blobSize = Files.size(blobs.path(diffIds.get(i)));
                }
                mlayers.addObject().put("mediaType", MediaTypes.DOCKER_LAYER).put("size", blobSize).put("digest", diffIds.get(i));
                size += blobSize;
                parent = chain;
            }
            byte[] manifestBytes = Json.mapper().writeValueAsBytes(manifest);
            List<String> names = new ArrayList<>();
            for (JsonNode t : img.path("RepoTags")) {
                try {
                    names.add(ImageReference.parse(t.asText()).name()); // "alpine:latest" → docker.io/library/alpine:latest, as podman does
                } catch (RuntimeException e) {
                    throw new ImageException(archive + ": the image name \"" + ManifestParser.oneLine(t.asText())
                            + "\" in manifest.json is not a valid reference");
                }
            }
            long total = size;
            return () -> {
                commits.forEach(Runnable::run);
                ImageRecord rec = null;
                if (names.isEmpty()) {
                    rec = store.images().put(imageId, manifestBytes, config, Digests.sha256(manifestBytes), chainIds, total, null, null);
                    if (progress != null) {
                        progress.accept(new ImageProgressEvent.Loaded(imageId.substring(7)));
                    }
                }
                for (String name : names) {
                    rec = store.images().put(imageId, manifestBytes, config, Digests.sha256(manifestBytes), chainIds, total, name, null);
                    if (progress != null) {
                        progress.accept(new ImageProgressEvent.Loaded(name));
                    }
                }
                return rec;
            };
        }
    }

    /** A regular file (or what a link in the archive points to) by its name in manifest.json; null if absent or outside. */
    private static TarArchiveEntry entry(java.util.Map<String, TarArchiveEntry> entries, String name) {
        if (name.startsWith("/")) {
            return null;
        }
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return entries.get(n);
    }

    private static byte[] read(TarFile tar, TarArchiveEntry e) throws IOException {
        if (e.getSize() > MAX_JSON) {
            throw new ImageException(e.getName() + " in the archive is larger than " + MAX_JSON + " bytes");
        }
        try (InputStream in = tar.getInputStream(e)) {
            return in.readAllBytes();
        }
    }
}
