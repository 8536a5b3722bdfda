package io.jpod.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compressed layer blobs as the registry served them, by digest: {@code <root>/blobs/sha256/<hex>}. Kept at pull time
 * so that `jpod push` sends exactly the bytes it pulled (same digests, nothing to recompress). Written through a
 * staging file that is renamed into place only after the caller verified the digest.
 */
public final class BlobStore {
    private final Store store;

    public BlobStore(Store store) {
        this.store = store;
    }

    public Path path(String digest) {
        return store.root().resolve("blobs").resolve("sha256").resolve(Ids.digestHex(digest, "blob digest"));
    }

    public boolean exists(String digest) {
        return Files.isRegularFile(path(digest));
    }

    /** A staging file for one blob; commit after verification, close always. */
    public Staged stage() {
        Path dir = store.newStagingDir("blob");
        try {
            return new Staged(dir, new java.io.BufferedOutputStream(Files.newOutputStream(dir.resolve("blob")), 256 * 1024));
        } catch (IOException e) {
            store.discard(dir);
            throw new StorageException("cannot create a blob staging file in " + dir + ": " + Fs.describe(e));
        }
    }

    public final class Staged implements AutoCloseable {
        private final Path dir;
        private final OutputStream out;
        private boolean closed;

        private Staged(Path dir, OutputStream out) {
            this.dir = dir;
            this.out = out;
        }

        public OutputStream out() {
            return out;
        }

        /** Moves the (verified) blob into place as {@code digest}; an existing copy wins. */
        public void commit(String digest) {
            Path target = path(digest);
            try {
                out.close();
                Files.createDirectories(target.getParent());
                if (!Files.exists(target)) {
                    Fs.rename(dir.resolve("blob"), target);
                }
            } catch (IOException e) {
                throw new StorageException("cannot store blob " + digest + ": " + Fs.describe(e) + "; check free space");
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.close();
            } catch (IOException ignored) {
                // discarded below
            }
            store.discard(dir);
        }
    }
}
