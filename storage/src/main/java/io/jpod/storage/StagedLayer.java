package io.jpod.storage;

/** A layer unpacked into staging, not yet visible in the store. */
public interface StagedLayer extends AutoCloseable {
    /** "sha256:&lt;hex&gt;" of the uncompressed bytes read. */
    String diffId();

    /** Uncompressed size in bytes. */
    long size();

    /**
     * Flushes the staged files to disk (the file system's dirty data, see {@link Native#syncfs}); idempotent, and done
     * by {@link #commit} if not before. A caller staging several layers can call it early, on a thread of its own,
     * so the disk writes overlap its other work instead of holding up the commits.
     */
    void makeDurable();

    /** Verifies the diff id, makes the files durable, then renames the layer into place under {@code chainId}; a layer already present wins. */
    void commit(String chainId, String expectedDiffId, String parentChainId);

    /** Discards the staged files unless committed. */
    @Override
    void close();
}
