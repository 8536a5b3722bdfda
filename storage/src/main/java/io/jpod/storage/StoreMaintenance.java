package io.jpod.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Store-wide operations behind `jpod system prune`, `jpod system reset` and `jpod commit`: removing layers no image
 * needs, wiping the store, and turning an upper dir into a committed layer.
 */
public final class StoreMaintenance {
    private StoreMaintenance() {
    }

    /** What {@link #removeUnusedLayers} did. */
    public record Pruned(List<String> layers, long bytes, boolean skippedBecauseBusy) {
    }

    /**
     * Removes every layer that no image needs (as a layer or an ancestor of one). Does nothing while another jpod
     * command is active, because a pull in progress commits its layers before the image that needs them.
     */
    public static Pruned removeUnusedLayers(Store store) {
        return store.locked(() -> {
            if (store.othersActive()) {
                return new Pruned(List.of(), 0, true);
            }
            Set<String> needed = new HashSet<>();
            for (ImageRecord r : store.images().list()) {
                for (String l : r.layers()) {
                    for (String c = l; c != null && needed.add(c); ) {
                        c = store.layers().info(c).map(LayerInfo::parent).orElse(null);
                    }
                }
            }
            List<String> removed = new ArrayList<>();
            long bytes = 0;
            for (String chain : store.layers().list()) {
                if (!needed.contains(chain)) {
                    bytes += store.layers().info(chain).map(LayerInfo::size).orElse(0L);
                    store.layers().remove(chain);
                    removed.add(chain);
                }
            }
            return new Pruned(List.copyOf(removed), bytes, false);
        });
    }

    /**
     * Deletes everything under {@code root} (a storage root; the caller has unmounted every rootfs). Refuses to cross
     * into a file system still mounted below it.
     */
    public static void wipe(Path root) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                Fs.deleteTree(p);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing to wipe
        } catch (IOException e) {
            throw new StorageException("cannot delete " + root + ": " + Fs.describe(e) + "; check for leftover mounts and retry");
        }
    }

    /** Deletes a tree that may contain read-only dirs and files of other mapped ids (run-time dirs). */
    public static void deleteTree(Path dir) {
        try {
            Fs.deleteTree(dir);
        } catch (IOException e) {
            throw new StorageException("cannot delete " + dir + ": " + Fs.describe(e));
        }
    }

    /** Sum of the sizes of the regular files under {@code dir}, not following symlinks; 0 when it does not exist. */
    public static long du(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // partial count
        }
        return total[0];
    }

    /** A container's changes committed as a layer on top of {@code parentChainId}. */
    public record CommittedLayer(String chainId, String diffId, long size) {
    }

    /**
     * Archives {@code upper} as an OCI layer (whiteouts as {@code .wh.} files) into staging, unpacks that archive as a
     * new layer (so the stored layer is exactly what the tar says, like any pulled layer) and commits it on top of
     * {@code parentChainId}.
     */
    public static CommittedLayer commitUpper(Store store, Path upper, String parentChainId) {
        return commit(store, parentChainId, out -> LayerExporter.exportDiff(upper, out));
    }

    /** As {@link #commitUpper} for a full rootfs copy (vfs) and its changes from {@link DiffWalker#compare}. */
    public static CommittedLayer commitChanges(Store store, Path rootfs, List<DiffWalker.Change> changes, String parentChainId) {
        return commit(store, parentChainId, out -> LayerExporter.exportChanges(rootfs, changes, out));
    }

    private interface Exporter {
        LayerExporter.Result write(OutputStream out) throws IOException;
    }

    private static CommittedLayer commit(Store store, String parentChainId, Exporter exporter) {
        Path dir = store.newStagingDir("commit");
        try {
            Path tar = dir.resolve("layer.tar");
            LayerExporter.Result exported;
            try (OutputStream out = Files.newOutputStream(tar)) {
                exported = exporter.write(out);
            }
            String chain;
            try (InputStream in = Files.newInputStream(tar); StagedLayer staged = store.layers().stage(in, null)) {
                chain = LayerStore.chainId(parentChainId, staged.diffId());
                staged.commit(chain, exported.diffId(), parentChainId);
            }
            keepAsBlob(store, tar, exported.diffId());
            return new CommittedLayer(chain, exported.diffId(), exported.size());
        } catch (IOException e) {
            throw new StorageException("cannot archive the container's changes: " + Fs.describe(e) + "; check free space");
        } finally {
            store.discard(dir);
        }
    }

    /**
     * The layer's tar is kept as the blob its manifest entry names (an uncompressed layer, digest = diff_id), so a
     * committed or built image can be pushed and saved like a pulled one.
     */
    private static void keepAsBlob(Store store, Path tar, String diffId) throws IOException {
        Path blob = new BlobStore(store).path(diffId);
        if (!Files.exists(blob)) {
            Files.createDirectories(blob.getParent());
            Fs.rename(tar, blob);
        }
    }
}
