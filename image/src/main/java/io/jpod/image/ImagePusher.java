package io.jpod.image;

import io.jpod.storage.BlobStore;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Pushes a stored image: its compressed layer blobs as they were pulled (kept in {@link BlobStore}), its config and
 * its manifest bytes as received, so the pushed manifest has the digest the image was pulled with. Blobs the
 * registry has already (HEAD) are skipped.
 */
public final class ImagePusher {
    private final Store store;
    private final boolean tlsVerify;
    private final Supplier<Credentials> credentials;
    private final PrintStream progress;

    /** @param progress where progress lines go; null for none (-q) */
    public ImagePusher(Store store, boolean tlsVerify, Supplier<Credentials> credentials, PrintStream progress) {
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
        say("Getting image source signatures");
        try (RegistryClient client = new RegistryClient(dest, tlsVerify, credentials)) {
            client.forPush();
            for (Descriptor layer : manifest.layers()) {
                if (client.blobExists(layer.digest())) {
                    say("Copying blob " + Digests.shortHex(layer.digest()) + " skipped: already exists");
                    continue;
                }
                Path file = blobs.path(layer.digest());
                client.uploadBlob(layer.digest(), file);
                say("Copying blob " + Digests.shortHex(layer.digest()) + " done");
            }
            String configDigest = manifest.config().digest();
            if (client.blobExists(configDigest)) {
                say("Copying config " + Digests.shortHex(configDigest) + " skipped: already exists");
            } else {
                client.uploadBlob(configDigest, config);
                say("Copying config " + Digests.shortHex(configDigest) + " done");
            }
            say("Writing manifest to image destination");
            String mediaType = manifest.mediaType() != null ? manifest.mediaType()
                    : MediaTypes.DOCKER_CONFIG.equals(manifest.config().mediaType()) ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST;
            String reference = dest.digest() != null ? dest.digest() : dest.tag() != null ? dest.tag() : "latest";
            return client.putManifest(reference, mediaType, manifestBytes);
        }
    }

    private void say(String line) {
        if (progress != null) {
            progress.println(line);
            progress.flush();
        }
    }
}
