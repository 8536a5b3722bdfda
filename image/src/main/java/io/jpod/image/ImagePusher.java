package io.jpod.image;

import io.jpod.storage.BlobStore;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Pushes a stored image: its compressed layer blobs as they were pulled (kept in {@link BlobStore}), its config and
 * its manifest bytes as received, so the pushed manifest has the digest the image was pulled with. Blobs the
 * registry has already (HEAD) are skipped; blobs known in another repository of the same registry are mounted from it.
 */
public final class ImagePusher {
    private final Store store;
    private final boolean tlsVerify;
    private final Supplier<Credentials> credentials;
    private final Consumer<ImageProgressEvent> progress;

    /** @param progress where progress events go; null for none (-q) */
    public ImagePusher(Store store, boolean tlsVerify, Supplier<Credentials> credentials, Consumer<ImageProgressEvent> progress) {
        this.store = store;
        this.tlsVerify = tlsVerify;
        this.credentials = credentials;
        this.progress = progress;
    }

    /** @return the digest of the pushed manifest */
    public String push(ImageRecord image, ImageReference dest) {
        byte[] manifestBytes = store.images().manifest(image.id());
        byte[] config = store.images().config(image.id());
        Manifest parsed = ManifestParser.parse(manifestBytes, null, dest.name());
        if (!(parsed instanceof ImageManifest manifest)) {
            throw new ImageException("image " + image.id() + " has an index as its stored manifest; jpod cannot push it");
        }
        BlobStore blobs = new BlobStore(store);
        for (Descriptor layer : manifest.layers()) {
            if (!blobs.exists(layer.digest())) {
                throw new ImageException("the compressed blob " + layer.digest() + " of image " + image.id().substring(7, 19)
                        + " is not in local storage (it was pulled by an older jpod or with another image); pull the image again, then push");
            }
        }
        say(new ImageProgressEvent.CopyStarted());
        BlobLocations locations = new BlobLocations(store);
        List<String> imageRepos = repositoriesOf(image, dest);
        try (RegistryClient client = new RegistryClient(dest, tlsVerify, credentials)) {
            client.forPush();
            for (Descriptor layer : manifest.layers()) {
                send(client, locations, imageRepos, dest, "blob", layer.digest(), blobs.path(layer.digest()), null);
            }
            String configDigest = manifest.config().digest();
            send(client, locations, imageRepos, dest, "config", configDigest, null, config);
            say(new ImageProgressEvent.WritingManifest());
            String mediaType = manifest.mediaType() != null ? manifest.mediaType()
                    : MediaTypes.DOCKER_CONFIG.equals(manifest.config().mediaType()) ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST;
            String reference = dest.digest() != null ? dest.digest() : dest.tag() != null ? dest.tag() : "latest";
            String pushed = client.putManifest(reference, mediaType, manifestBytes);
            for (Descriptor layer : manifest.layers()) {
                locations.record(layer.digest(), dest.registry(), dest.repository());
            }
            locations.record(configDigest, dest.registry(), dest.repository());
            return pushed;
        }
    }

    /**
     * One blob: skipped if the registry has it (HEAD); else mounted from a repository of the same registry known to hold
     * it (recorded by an earlier push, or one the image was pulled from); else uploaded. {@code file} or {@code bytes}.
     */
    private void send(RegistryClient client, BlobLocations locations, List<String> imageRepos, ImageReference dest, String what,
                      String digest, Path file, byte[] bytes) {
        if (client.blobExists(digest)) {
            say(new ImageProgressEvent.BlobSkipped(digest, what.equals("config"), null));
            return;
        }
        Set<String> from = new LinkedHashSet<>(locations.repositories(digest, dest.registry()));
        from.addAll(imageRepos);
        from.remove(dest.repository());
        if (!from.isEmpty()) {
            String source = from.iterator().next();
            Path f = file;
            if (f == null) {
                try {
                    f = java.nio.file.Files.createTempFile(store.root(), ".push-", ".blob");
                    java.nio.file.Files.write(f, bytes);
                } catch (java.io.IOException e) {
                    throw new ImageException("cannot stage the config for upload in " + store.root() + ": " + e.getMessage());
                }
            }
            try {
                if (client.mountOrUploadBlob(digest, f, source)) {
                    say(new ImageProgressEvent.BlobSkipped(digest, what.equals("config"), source));
                    return;
                }
            } finally {
                if (file == null) {
                    try {
                        java.nio.file.Files.deleteIfExists(f);
                    } catch (java.io.IOException ignored) {
                        // a leftover temp file in the storage root is harmless
                    }
                }
            }
        } else if (file != null) {
            client.uploadBlob(digest, file);
        } else {
            client.uploadBlob(digest, bytes);
        }
        say(what.equals("config") ? new ImageProgressEvent.ConfigCopied(digest, false)
                : new ImageProgressEvent.BlobCopied(digest, file != null ? file.toFile().length() : bytes.length, false));
    }

    /** Repositories on {@code dest}'s registry that the image was pulled from or is named in. */
    private static List<String> repositoriesOf(ImageRecord image, ImageReference dest) {
        List<String> out = new ArrayList<>();
        List<String> all = new ArrayList<>(image.names());
        all.addAll(image.digests());
        for (String name : all) {
            try {
                ImageReference r = ImageReference.parse(name);
                if (r.registry().equals(dest.registry()) && !out.contains(r.repository())) {
                    out.add(r.repository());
                }
            } catch (RuntimeException ignored) {
                // a name jpod cannot parse names no repository to mount from
            }
        }
        return out;
    }

    private void say(ImageProgressEvent event) {
        if (progress != null) {
            progress.accept(event);
        }
    }
}
