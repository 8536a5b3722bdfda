package io.jpod.image;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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

    private ImageArchives() {
    }

    /** Writes one image in {@code format} (docker-archive or oci-archive) with {@code name} (null for none). */
    public static void save(Store store, ImageRecord image, String format, String name, OutputStream out) throws IOException {
        switch (format) {
            case DOCKER_ARCHIVE -> DockerArchive.save(store, image, name == null ? List.of() : List.of(name), out);
            case OCI_ARCHIVE -> OciArchive.save(store, image, name, out);
            default -> throw new ImageException("unsupported format \"" + format + "\"; use docker-archive or oci-archive");
        }
    }

    /** Loads every image of the archive file; nothing is committed for an image that fails verification. */
    public static List<ImageRecord> load(Store store, Path archive, PrintStream progress) throws IOException {
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
                if (OciArchive.isOciLayout(entries)) {
                    return OciArchive.load(store, tar, entries, shown, progress);
                }
            }
            throw new ImageException(shown + " is neither a docker-archive (manifest.json) nor an oci-archive (oci-layout and index.json)");
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
