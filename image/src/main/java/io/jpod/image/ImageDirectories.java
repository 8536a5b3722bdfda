package io.jpod.image;

import io.jpod.storage.BlobStore;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * The two directory layouts of `save --format` and `load -i DIR`, as containers/image writes them:
 * <ul>
 * <li>oci-dir: an OCI image layout, the same files an oci-archive holds ({@link OciArchive}), unpacked;</li>
 * <li>docker-dir: the "dir" transport: {@code version} ("Directory Transport Version: 1.1\n"), {@code manifest.json}
 * (a Docker schema 2 manifest, as podman writes it) and every blob as a file named by its hex digest.</li>
 * </ul>
 * A save is written into a new directory beside the target and renamed into place once complete, so a failed save
 * leaves nothing behind and a reader never sees half a layout. Loading gets the archive's verification (every blob's
 * digest and size, every diff_id) through {@link ArchiveSource}, and commits nothing unless all of it is sound.
 */
public final class ImageDirectories {
    static final String DIR_VERSION = "Directory Transport Version: 1.1\n";

    private ImageDirectories() {
    }

    /** Whether {@code format} is one of the directory formats. */
    public static boolean isDirectoryFormat(String format) {
        return ImageArchives.OCI_DIR.equals(format) || ImageArchives.DOCKER_DIR.equals(format);
    }

    /**
     * Writes {@code image} as {@code format} to the directory {@code target}, which must not exist or be empty;
     * {@code compress} (docker-dir only) gzips the layers that are stored uncompressed.
     * podman 4.3.1 (checked) writes an oci-dir into whatever directory exists, adding its files to what is there, and
     * replaces the content of an existing docker-dir; writing into another layout cannot be made atomic, and merging
     * into a stranger's directory can destroy data, so jpod refuses a non-empty target instead.
     */
    public static void save(Store store, ImageRecord image, String format, String refName, boolean compress, Path target)
            throws IOException {
        checkTarget(target);
        Path tmp = createTemp(target);
        boolean done = false;
        try {
            if (ImageArchives.OCI_DIR.equals(format)) {
                writeOci(store, image, refName, tmp);
            } else if (ImageArchives.DOCKER_DIR.equals(format)) {
                writeDocker(store, image, compress, tmp);
            } else {
                throw new ImageException("unsupported directory format \"" + format + "\"; use oci-dir or docker-dir");
            }
            try {
                // rename(2) replaces an empty directory and fails on a non-empty one, so a target filled meanwhile is kept
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
                throw notEmpty(target);
            }
            done = true;
        } catch (FileSystemException e) {
            throw new ImageException("cannot write " + target + ": " + describe(e));
        } finally {
            if (!done) {
                deleteTree(tmp);
            }
        }
    }

    /** Loads the image(s) of an oci-dir or a docker-dir, told apart by their files. */
    public static List<ImageRecord> load(Store store, Path dir, java.util.function.Consumer<ImageProgressEvent> progress) throws IOException {
        ArchiveSource oci = ArchiveSource.directory(dir, true);
        if (OciArchive.isOciLayout(oci)) {
            return OciArchive.load(store, oci, progress);
        }
        ArchiveSource docker = ArchiveSource.directory(dir, false);
        if (docker.has("version") && docker.has("manifest.json")) {
            return loadDocker(store, docker, progress);
        }
        throw new ImageException(dir + " is neither an oci-dir (oci-layout and index.json) nor a docker-dir (version and manifest.json)");
    }

    // ---------------------------------------------------------------- save

    private static void checkTarget(Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException(target + " exists and is not a directory; give a new directory to save into");
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) {
                throw notEmpty(target);
            }
        }
    }

    private static ImageException notEmpty(Path target) {
        return new ImageException(target + " is not empty; jpod saves a directory format only into a new or empty directory");
    }

    /** A new directory beside {@code target} (same file system, so the final rename is atomic); mode from the umask. */
    private static Path createTemp(Path target) {
        Path parent = target.getParent();
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; ; attempt++) {
            byte[] b = new byte[6];
            random.nextBytes(b);
            Path tmp = parent.resolve(".jpod-save-" + HexFormat.of().formatHex(b));
            try {
                return Files.createDirectory(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw new ImageException("cannot create a temporary directory in " + parent + ": " + describe(e));
                }
            } catch (IOException e) {
                // the target's directory must be writable: the layout is written beside the target, then renamed
                throw new ImageException("cannot write " + target + ": " + reason(e) + " in " + parent
                        + "; choose a directory you can write to");
            }
        }
    }

    private static void writeOci(Store store, ImageRecord image, String refName, Path dir) throws IOException {
        OciArchive.Contents c = OciArchive.contents(store, image);
        BlobStore blobs = new BlobStore(store);
        Path blobDir = Files.createDirectories(dir.resolve("blobs/sha256"));
        for (Descriptor layer : c.layers()) {
            copy(blobs.path(layer.digest()), blobDir.resolve(Digests.hex(layer.digest())));
        }
        Files.write(blobDir.resolve(Digests.hex(Digests.sha256(c.config()))), c.config());
        Files.write(blobDir.resolve(Digests.hex(c.manifestDigest())), c.manifest());
        Files.write(dir.resolve("oci-layout"), OciArchive.OCI_LAYOUT);
        Files.write(dir.resolve("index.json"), OciArchive.index(c, refName));
    }

    private static void writeDocker(Store store, ImageRecord image, boolean compress, Path dir) throws IOException {
        byte[] config = store.images().config(image.id());
        byte[] stored = store.images().manifest(image.id());
        ImageManifest m = OciArchive.storedManifest(store, image, stored);
        BlobStore blobs = new BlobStore(store);
        Files.write(dir.resolve("version"), DIR_VERSION.getBytes(StandardCharsets.US_ASCII));
        List<Layer> layers = new java.util.ArrayList<>();
        for (Descriptor l : m.layers()) {
            Path blob = blobs.path(l.digest());
            String type = switch (OciArchive.ociLayerType(blob)) {
                case MediaTypes.OCI_LAYER_GZIP -> MediaTypes.DOCKER_LAYER_GZIP;
                case MediaTypes.OCI_LAYER -> MediaTypes.DOCKER_LAYER;
                default -> throw new ImageException("image " + image.id().substring(7, 19) + " has a zstd-compressed layer, which a"
                        + " Docker schema 2 manifest cannot describe; save it with --format oci-dir");
            };
            if (compress && type.equals(MediaTypes.DOCKER_LAYER)) {
                layers.add(gzipInto(blob, dir));
            } else {
                copy(blob, dir.resolve(Digests.hex(l.digest())));
                layers.add(new Layer(type, l.digest(), Files.size(blob)));
            }
        }
        Files.write(dir.resolve(Digests.hex(Digests.sha256(config))), config);
        Files.write(dir.resolve("manifest.json"), dockerManifest(m, stored, config, layers));
    }

    /** A layer as a docker-dir's manifest describes it. */
    private record Layer(String mediaType, String digest, long size) {
    }

    /**
     * The Docker schema 2 manifest: the stored one when it is schema 2 and names each written layer truly (so its
     * digest is kept), else one with the same config bytes (so the image id is kept) and the layers as written (a
     * docker-archive load keeps plain tars under the gzip type; an OCI image has OCI types).
     */
    private static byte[] dockerManifest(ImageManifest m, byte[] stored, byte[] config, List<Layer> layers) throws IOException {
        boolean asStored = MediaTypes.DOCKER_MANIFEST.equals(m.mediaType());
        for (int i = 0; i < layers.size() && asStored; i++) {
            Descriptor d = m.layers().get(i);
            asStored = layers.get(i).mediaType().equals(d.mediaType()) && layers.get(i).digest().equals(d.digest());
        }
        if (asStored) {
            return stored;
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("schemaVersion", 2).put("mediaType", MediaTypes.DOCKER_MANIFEST);
        out.putObject("config").put("mediaType", MediaTypes.DOCKER_CONFIG).put("size", config.length).put("digest", Digests.sha256(config));
        ArrayNode array = out.putArray("layers");
        for (Layer l : layers) {
            array.addObject().put("mediaType", l.mediaType()).put("size", l.size()).put("digest", l.digest());
        }
        return Json.mapper().writeValueAsBytes(out);
    }

    /** `--compress`: a plain layer gzipped into the directory under its new digest (the diff_id, and so the image id, stay). */
    private static Layer gzipInto(Path blob, Path dir) throws IOException {
        Path tmp = dir.resolve(".gzip");
        java.security.MessageDigest sha = Digests.newSha256();
        try (OutputStream file = Files.newOutputStream(tmp);
             java.security.DigestOutputStream hashed = new java.security.DigestOutputStream(new BufferedOutputStream(file, 256 * 1024), sha);
             OutputStream gz = new GzipCompressorOutputStream(hashed)) {
            Files.copy(blob, gz);
        }
        String digest = Digests.format(sha);
        Path target = dir.resolve(Digests.hex(digest));
        long size = Files.size(tmp);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        return new Layer(MediaTypes.DOCKER_LAYER_GZIP, digest, size);
    }

    /** A copy, never a link: the saved layout is the user's to change, the store's blob is not. */
    private static void copy(Path from, Path to) throws IOException {
        if (!Files.exists(to)) { // two layers with the same blob
            Files.copy(from, to);
        }
    }

    private static void deleteTree(Path top) {
        try (Stream<Path> s = Files.walk(top)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort after a failure that is already being reported
        }
    }

    /** "PATH: reason" of a failed file operation. */
    private static String describe(IOException e) {
        return e instanceof FileSystemException f && f.getFile() != null ? f.getFile() + ": " + reason(e) : reason(e);
    }

    private static String reason(IOException e) {
        if (!(e instanceof FileSystemException f)) {
            return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        String reason = f.getReason() != null ? f.getReason()
                : f instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : f instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                : f.getClass().getSimpleName();
        return reason.toLowerCase(java.util.Locale.ROOT);
    }

    // ---------------------------------------------------------------- load

    private static List<ImageRecord> loadDocker(Store store, ArchiveSource src, java.util.function.Consumer<ImageProgressEvent> progress) throws IOException {
        String version = new String(OciArchive.readSmall(src, "version"), StandardCharsets.UTF_8);
        if (!version.equals(DIR_VERSION)) {
            throw new ImageException(src.shown() + ": version says \"" + ManifestParser.oneLine(version.strip())
                    + "\"; jpod reads docker-dir layouts of \"" + DIR_VERSION.strip() + "\"");
        }
        byte[] manifest = OciArchive.readSmall(src, "manifest.json");
        if (ManifestParser.parse(manifest, null, src.shown()) instanceof ImageIndex) {
            throw new ImageException(src.shown() + ": manifest.json is a multi-platform index; save one platform's image to load it");
        }
        // the manifest's own file is its digest: the dir transport keeps no separate descriptor to check it against
        OciArchive.Pending p = OciArchive.stage(store, src, manifest, null, Digests.sha256(manifest), null, WarningLines.to(progress));
        try {
            return OciArchive.commit(store, List.of(p), progress);
        } finally {
            p.close();
        }
    }
}
