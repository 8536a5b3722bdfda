package io.jpod.image;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.StagedLayer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** What the puller needs from storage; production code uses {@link StoreTarget}. Exists so the pull can be exercised without a store. */
interface PullTarget {
    boolean layerExists(String chainId);

    StagedLayer stage(InputStream uncompressedTar) throws IOException;

    String chainId(String parentChainId, String diffId);

    /** A staging file to keep the compressed blob in (for push), or null when it is kept already or not wanted. */
    default io.jpod.storage.BlobStore.Staged stageBlob(String digest) {
        return null;
    }

    /**
     * An image already stored whose manifest has this digest and whose layers are all present, or null. Its content
     * is fixed by the manifest digest, so a pull that finds one has nothing to download.
     */
    default ImageRecord complete(String manifestDigest) {
        return null;
    }

    /** The stored manifest and config bytes of an image from {@link #complete}. */
    default byte[][] stored(String imageId) {
        throw new UnsupportedOperationException();
    }

    ImageRecord putImage(String imageId, byte[] manifest, byte[] config, String manifestDigest, List<String> layerChainIds,
                         long size, String name, String digestName);
}
