package io.jpod.image;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Image references with a transport prefix, as podman (containers/image) spells them: {@code docker://NAME} (a
 * registry, the default), and the local ones {@code docker-archive:PATH[:NAME]}, {@code oci-archive:PATH[:NAME]},
 * {@code oci:PATH[:NAME]} (an OCI image layout directory) and {@code dir:PATH}. `pull`, `run` and `create` read a
 * local one as `load` reads the same file; `push` writes one as `save` writes it. The other transports podman knows
 * (docker-daemon, containers-storage, ostree, sif, tarball) name stores jpod has no access to: refused by name.
 * A relative PATH is the caller's: the per-user service leaves such commands to the caller's JVM (ServiceRouting).
 */
public final class ImageTransports {
    /** The transport names of containers/image that jpod reads and writes itself. */
    public static final String DOCKER = "docker";
    public static final String DOCKER_ARCHIVE = "docker-archive";
    public static final String OCI_ARCHIVE = "oci-archive";
    public static final String OCI = "oci";
    public static final String DIR = "dir";
    private static final List<String> UNSUPPORTED = List.of("docker-daemon", "containers-storage", "ostree", "sif", "tarball");

    private ImageTransports() {
    }

    /**
     * A parsed {@code TRANSPORT:REST}; {@code path} is the file or directory of a local transport (null for docker),
     * {@code name} the image name after it (docker's reference, or the optional {@code :NAME} of an archive or layout).
     */
    public record Reference(String transport, String path, String name, String given) {
        /** Whether the image lives in a file or directory rather than a registry. */
        public boolean local() {
            return !transport.equals(DOCKER);
        }

        /** The format `save`/`load` call this layout. */
        String saveFormat() {
            return switch (transport) {
                case DOCKER_ARCHIVE -> ImageArchives.DOCKER_ARCHIVE;
                case OCI_ARCHIVE -> ImageArchives.OCI_ARCHIVE;
                case OCI -> ImageArchives.OCI_DIR;
                case DIR -> ImageArchives.DOCKER_DIR;
                default -> throw new IllegalStateException(transport);
            };
        }
    }

    /**
     * The transport reference {@code ref} spells, or empty when it has no transport prefix (a plain image name such
     * as {@code registry:5000/repo:tag}, whose "registry:" is no transport: as in podman, only known names count).
     */
    public static Optional<Reference> parse(String ref) {
        if (ref == null) {
            return Optional.empty();
        }
        if (ref.startsWith(DOCKER + "://")) {
            String rest = ref.substring((DOCKER + "://").length());
            if (rest.isEmpty()) {
                throw new ImageException("invalid image reference \"" + ref + "\": no image name after docker://");
            }
            return Optional.of(new Reference(DOCKER, null, rest, ref));
        }
        int colon = ref.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String transport = ref.substring(0, colon);
        String rest = ref.substring(colon + 1);
        if (UNSUPPORTED.contains(transport)) {
            throw new ImageException("the " + transport + " transport is not supported: jpod reads and writes images in registries"
                    + " (docker://), docker-archive:, oci-archive:, oci: and dir:");
        }
        if (!List.of(DOCKER_ARCHIVE, OCI_ARCHIVE, OCI, DIR).contains(transport)) {
            return Optional.empty();
        }
        if (rest.isEmpty()) {
            throw new ImageException("invalid image reference \"" + ref + "\": no path after " + transport + ":");
        }
        String path = rest;
        String name = null;
        int nameColon = rest.indexOf(':');
        if (nameColon >= 0 && !transport.equals(DIR)) {
            // PATH[:NAME]: as containers/image, the first colon ends the path
            path = rest.substring(0, nameColon);
            name = rest.substring(nameColon + 1);
            if (path.isEmpty() || name.isEmpty()) {
                throw new ImageException("invalid image reference \"" + ref + "\": use " + transport + ":PATH[:NAME]");
            }
        }
        return Optional.of(new Reference(transport, path, name, ref));
    }

    /**
     * Reads the image(s) of a local transport into the store, reporting the copy to {@code progress} (null:
     * quiet). An archive named without {@code :NAME} gives all its images; with one, the image of that name.
     */
    public static List<ImageRecord> pull(Store store, Reference ref, java.util.function.Consumer<ImageProgressEvent> progress) {
        Path path = Path.of(ref.path());
        boolean directory = ref.transport().equals(OCI) || ref.transport().equals(DIR);
        if (directory ? !Files.isDirectory(path) : !Files.isRegularFile(path)) {
            throw new ImageException(ref.given() + ": no such " + (directory ? "directory" : "file") + " " + path);
        }
        if (progress != null) {
            progress.accept(new ImageProgressEvent.CopyStarted());
        }
        List<ImageRecord> loaded;
        try {
            loaded = ImageArchives.load(store, path, null);
        } catch (IOException e) {
            throw new ImageException("cannot read " + ref.given() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (ref.name() != null) {
            String wanted = qualified(ref.name());
            loaded = loaded.stream().filter(r -> r.names().contains(wanted)).toList();
            if (loaded.isEmpty()) {
                throw new ImageException("no image named " + ref.name() + " in " + path);
            }
        }
        if (loaded.isEmpty()) {
            throw new ImageException("no image in " + path);
        }
        for (ImageRecord r : loaded) {
            copyEvents(store, r, progress);
        }
        return loaded;
    }

    /**
     * Writes {@code image} to a local transport, whole or not at all, under {@code ref}'s name if it gives one, else
     * {@code defaultName} (null: none).
     */
    public static void push(Store store, ImageRecord image, String defaultName, Reference ref, java.util.function.Consumer<ImageProgressEvent> progress) {
        Path path = Path.of(ref.path());
        String name = ref.name() != null ? qualified(ref.name()) : defaultName;
        if (progress != null) {
            progress.accept(new ImageProgressEvent.CopyStarted());
        }
        try {
            String format = ref.saveFormat();
            if (ImageDirectories.isDirectoryFormat(format)) {
                ImageDirectories.save(store, image, format, format.equals(ImageArchives.DOCKER_DIR) ? null : name, false, path);
            } else {
                writeArchive(store, image, format, name, path);
            }
        } catch (IOException e) {
            throw new ImageException("cannot write " + ref.given() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        copyEvents(store, image, progress);
    }

    /** An archive file written beside its target and renamed into place, so a failed push leaves no half file. */
    private static void writeArchive(Store store, ImageRecord image, String format, String name, Path target) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException(target + " is a directory; give a file name for the archive");
        }
        Path parent = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, ".jpod-push-", ".tar");
        boolean done = false;
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ImageArchives.save(store, image, format, name, out);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** What podman's copy reports: each layer, the config, the manifest, the signatures. */
    private static void copyEvents(Store store, ImageRecord image, java.util.function.Consumer<ImageProgressEvent> progress) {
        if (progress == null) {
            return;
        }
        if (ManifestParser.parse(store.images().manifest(image.id()), null, image.id()) instanceof ImageManifest m) {
            for (Descriptor layer : m.layers()) {
                progress.accept(new ImageProgressEvent.BlobCopied(layer.digest(), layer.size(), true));
            }
        }
        progress.accept(new ImageProgressEvent.ConfigCopied(image.id(), true));
        progress.accept(new ImageProgressEvent.WritingManifest());
        progress.accept(new ImageProgressEvent.StoringSignatures());
    }

    /** NAME as the store names images: short names qualified as `tag` qualifies them (foo → localhost/foo:latest). */
    private static String qualified(String name) {
        ImageReference r = ImageReference.parse(name.contains("/") || name.contains(".") ? name : "localhost/" + name);
        return r.name();
    }
}
