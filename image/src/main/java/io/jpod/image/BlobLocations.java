package io.jpod.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.storage.Store;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a blob is known to exist on registries, as podman's blob-info cache keeps it: {@code
 * <root>/blobs/locations/<hex>} holds a JSON array of "registry/repository", most recent first. Push records every
 * blob it sent or found; push then asks the registry to mount a missing blob from a repository of the same registry
 * instead of uploading it. A hint only: a stale or lost entry costs one refused mount.
 */
public final class BlobLocations {
    private static final int KEEP = 8;

    private final Path dir;

    public BlobLocations(Store store) {
        this.dir = store.root().resolve("blobs").resolve("locations");
    }

    /** Repositories of {@code registry} the blob is known in, most recent first. */
    public List<String> repositories(String digest, String registry) {
        List<String> out = new ArrayList<>();
        String prefix = registry + "/";
        for (String loc : read(digest)) {
            if (loc.startsWith(prefix)) {
                out.add(loc.substring(prefix.length()));
            }
        }
        return out;
    }

    /** Records that {@code digest} is in {@code registry/repository}; failures are ignored (a hint is not worth an error). */
    public void record(String digest, String registry, String repository) {
        Set<String> all = new LinkedHashSet<>();
        all.add(registry + "/" + repository);
        all.addAll(read(digest));
        List<String> kept = new ArrayList<>(all).subList(0, Math.min(KEEP, all.size()));
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".loc-", ".tmp");
            try {
                Files.write(tmp, Json.mapper().writeValueAsBytes(kept));
                try {
                    Files.move(tmp, file(digest), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file(digest), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException ignored) {
            // the next push simply uploads instead of mounting
        }
    }

    private List<String> read(String digest) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode n = Json.mapper().readTree(Files.readAllBytes(file(digest)));
            if (n != null && n.isArray()) {
                n.forEach(v -> {
                    if (v.isTextual()) {
                        out.add(v.textValue());
                    }
                });
            }
        } catch (NoSuchFileException e) {
            // never recorded
        } catch (IOException | RuntimeException e) {
            // a damaged hint is no hint
        }
        return out;
    }

    private Path file(String digest) {
        if (!Digests.isSha256(digest)) {
            throw new ImageException("blob " + digest + ": only sha256 digests are supported");
        }
        return dir.resolve(Digests.hex(digest));
    }
}
