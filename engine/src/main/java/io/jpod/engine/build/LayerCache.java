package io.jpod.engine.build;

import io.jpod.storage.Store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The build cache: a step's key (parent image id, the instruction after expansion, the digest of what it reads)
 * → the image that step made, one small file per key under {@code <root>/build-cache/}. The images are ordinary
 * unnamed images, so an entry whose image was pruned is simply a miss.
 */
final class LayerCache {
    private final Store store;
    private final Path dir;

    LayerCache(Store store) {
        this.store = store;
        this.dir = store.root().resolve("build-cache");
    }

    static String key(String parentId, String step, String contentDigest) {
        return sha256(parentId + "\n" + step + "\n" + (contentDigest == null ? "" : contentDigest));
    }

    Optional<String> lookup(String key) {
        Path f = dir.resolve(key);
        try {
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            String id = Files.readString(f).strip();
            return store.images().get(id).map(r -> r.id());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void record(String key, String imageId) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".tmp-", "");
            Files.writeString(tmp, imageId + "\n");
            Files.move(tmp, dir.resolve(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // a cache that cannot be written only makes the next build slower
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
