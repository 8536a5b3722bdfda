package io.jpod.image;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.LayerStore;
import io.jpod.storage.StagedLayer;
import io.jpod.storage.Store;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** {@link PullTarget} backed by the real store. */
final class StoreTarget implements PullTarget {
    private final Store store;
    private final java.io.PrintStream warnings;

    /** @param warnings where the unpacker's warnings go; null: nowhere */
    StoreTarget(Store store, java.io.PrintStream warnings) {
        this.store = store;
        this.warnings = warnings;
    }

    @Override
    public boolean layerExists(String chainId) {
        return store.layers().exists(chainId);
    }

    @Override
    public StagedLayer stage(InputStream uncompressedTar) throws IOException {
        return store.layers().stage(uncompressedTar, warnings);
    }

    @Override
    public io.jpod.storage.BlobStore.Staged stageBlob(String digest) {
        io.jpod.storage.BlobStore blobs = new io.jpod.storage.BlobStore(store);
        return blobs.exists(digest) ? null : blobs.stage();
    }

    @Override
    public String chainId(String parentChainId, String diffId) {
        return LayerStore.chainId(parentChainId, diffId);
    }

    @Override
    public ImageRecord complete(String manifestDigest) {
        for (ImageRecord r : store.images().list()) {
            if (manifestDigest.equals(r.manifestDigest()) && r.layers().stream().allMatch(store.layers()::exists)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public byte[][] stored(String imageId) {
        return new byte[][] {store.images().manifest(imageId), store.images().config(imageId)};
    }

    @Override
    public ImageRecord putImage(String imageId, byte[] manifest, byte[] config, String manifestDigest, List<String> layerChainIds,
                                long size, String name, String digestName) {
        return store.images().put(imageId, manifest, config, manifestDigest, layerChainIds, size, name, digestName);
    }
}
