package io.jpod.image;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * `jpod load`: tells the archive type from its content, as podman does. A docker-archive has {@code manifest.json}
 * (docker 25+ writes an OCI layout beside it; its RepoTags are the better names, so manifest.json wins); an oci-archive
 * has {@code oci-layout} and {@code index.json}. A gzip-compressed archive is inflated to a temporary file first.
 */
public final class ImageArchives {
    public static final String DOCKER_ARCHIVE = "docker-archive";
    public static final String OCI_ARCHIVE = "oci-archive";
    public static final String OCI_DIR = "oci-dir";
    public static final String DOCKER_DIR = "docker-dir";

    /** One image to save and the names to write for it (RepoTags in a docker-archive, ref.name in an OCI layout). */
    public record Saved(ImageRecord image, List<String> names) {
        public Saved {
            names = List.copyOf(names);
        }
    }

    private ImageArchives() {
    }

    /** Writes one image in {@code format} (docker-archive or oci-archive) with {@code name} (null for none). */
    public static void save(Store store, ImageRecord image, String format, String name, OutputStream out) throws IOException {
        save(store, List.of(new Saved(image, name == null ? List.of() : List.of(name))), format, out);
    }

    /**
     * Writes {@code images} as a tarball in {@code format}: a docker-archive holds several images and several names
     * each; an oci-archive one image and at most one name, as in podman.
     */
    public static void save(Store store, List<Saved> images, String format, OutputStream out) throws IOException {
        save(store, images, format, false, out);
    }

    /** As {@link #save(Store, List, String, OutputStream)}; {@code uncompressed}: an oci-archive's layers as plain tars. */
    public static void save(Store store, List<Saved> images, String format, boolean uncompressed, OutputStream out) throws IOException {
        switch (format) {
            case DOCKER_ARCHIVE -> DockerArchive.save(store, images, out);
            case OCI_ARCHIVE -> {
                if (images.size() != 1 || images.get(0).names().size() > 1) {
                    throw new ImageException("an oci-archive holds one image with one name; use docker-archive for more");
                }
                Saved one = images.get(0);
                OciArchive.save(store, one.image(), one.names().isEmpty() ? null : one.names().get(0), uncompressed, out);
            }
            default -> throw new ImageException("unsupported archive format \"" + format + "\"; use docker-archive or oci-archive");
        }
    }

    /**
     * Loads every image of the archive file, or of the oci-dir or docker-dir directory; nothing is committed for an
     * image that fails verification.
     */
    public static List<ImageRecord> load(Store store, Path archive, java.util.function.Consumer<ImageProgressEvent> progress) throws IOException {
        if (Files.isDirectory(archive)) {
            return ImageDirectories.load(store, archive, progress);
        }
        Path inflated = null;
        try {
            if (isGzip(archive)) {
                inflated = Files.createTempFile(store.root(), ".load-", ".tar");
                try (InputStream in = new GzipCompressorInputStream(new BufferedInputStream(Files.newInputStream(archive)), true);
                     OutputStream out = Files.newOutputStream(inflated)) {
                    in.transferTo(out);
                }
            }
            Path tarPath = inflated != null ? inflated : archive;
            String shown = archive.toString();
            try (TarFile tar = new TarFile(tarPath.toFile())) {
                Map<String, TarArchiveEntry> entries = OciArchive.entries(tar, shown);
                if (entries.containsKey("manifest.json")) {
                    return DockerArchive.load(store, tar, shown, progress);
                }
                ArchiveSource src = ArchiveSource.tar(tar, entries, shown);
                if (OciArchive.isOciLayout(src)) {
                    return OciArchive.load(store, src, progress);
                }
            }
            throw new ImageException("payload does not match any of the supported image formats: " + shown + " is neither a docker-archive (manifest.json) nor an oci-archive (oci-layout and index.json)");
        } finally {
            if (inflated != null) {
                Files.deleteIfExists(inflated);
            }
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}
