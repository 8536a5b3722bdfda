package io.jpod.image;

/** What a registry returns for /manifests/: a single-platform image manifest or an index of them. */
public sealed interface Manifest permits ImageManifest, ImageIndex {
    int schemaVersion();

    String mediaType();
}
