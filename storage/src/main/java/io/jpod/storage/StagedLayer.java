package io.jpod.storage;

/** A layer unpacked into staging, not yet visible in the store. */
public interface StagedLayer extends AutoCloseable {
    /** "sha256:&lt;hex&gt;" of the uncompressed bytes read. */
    String diffId();

    /** Uncompressed size in bytes. */
    long size();

    /** Verifies the diff id, then renames the layer into place under {@code chainId}; a layer already present wins. */
    void commit(String chainId, String expectedDiffId, String parentChainId);

    /** Discards the staged files unless committed. */
    @Override
    void close();
}
