package io.jpod.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Removing names from an image record (`jpod untag`, `jpod rmi` of one of several names). Adding a name goes through
 * {@link ImageStore#put}, which already moves a name from its previous image.
 */
public final class ImageNames {
    private ImageNames() {
    }

    /**
     * Removes {@code name} (a "registry/repo:tag" or "registry/repo@sha256:…" name), or every name and digest when it is
     * null, from the image; returns the updated record.
     */
    public static ImageRecord untag(Store store, String imageId, String name) {
        String hex = Ids.imageHex(imageId);
        return store.locked(() -> {
            Path file = store.root().resolve("images").resolve(hex).resolve("image.json");
            if (!Files.isRegularFile(file)) {
                throw new StorageException("image sha256:" + hex + " is not in storage");
            }
            ImageRecord r = Json.read(file, ImageRecord.class);
            List<String> names = new ArrayList<>(r.names() == null ? List.of() : r.names());
            List<String> digests = new ArrayList<>(r.digests() == null ? List.of() : r.digests());
            if (name == null) {
                names.clear();
                digests.clear();
            } else if (!names.remove(name) && !digests.remove(name)) {
                throw new StorageException("image sha256:" + hex + " has no name " + Fs.quote(name));
            }
            ImageRecord updated = new ImageRecord(r.id(), List.of(), List.of(), r.manifestDigest(),
                    r.layers() == null ? List.of() : List.copyOf(r.layers()), r.size(), r.created(), r.namesHistory())
                    .withNames(names, digests);
            try {
                Fs.writeAtomic(file, Json.bytes(updated));
            } catch (IOException e) {
                throw new StorageException("cannot write " + file + ": " + Fs.describe(e) + "; check free space");
            }
            return updated;
        });
    }
}
