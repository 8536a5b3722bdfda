package io.jpod.image;

import java.util.List;

/**
 * What a pull, push or load is doing, as it happens: the image module reports these typed events and each front end
 * renders them its own way (the CLI: podman's lines, live bars on a terminal; the Docker API: docker's JSON
 * progress). Events of one transfer may come from several download threads at once.
 */
public sealed interface ImageProgressEvent {
    /** A short name is tried against the unqualified-search registries of registries.conf. */
    record Resolving(String name, List<String> registries) implements ImageProgressEvent {
    }

    /** The short name (or a mirrored one) was found as {@code image}; {@code mirror}: the registry that served it, or null. */
    record Resolved(String name, String image, String mirror) implements ImageProgressEvent {
    }

    /** A pull from a registry begins (one per candidate tried). */
    record Trying(String image) implements ImageProgressEvent {
    }

    /** The copy begins (podman's "Getting image source signatures"). */
    record CopyStarted() implements ImageProgressEvent {
    }

    /**
     * A blob (or with {@code config} the image's config) the destination has already; {@code mountedFrom}: the
     * repository of the same registry it was mounted from (push), else null.
     */
    record BlobSkipped(String digest, boolean config, String mountedFrom) implements ImageProgressEvent {
    }

    /** A blob queued for download ({@code size} bytes); its bytes follow as {@link BlobProgress}. */
    record BlobWaiting(String digest, long size) implements ImageProgressEvent {
    }

    /** Bytes of a blob received so far (sent a few times a second per blob, not per read). */
    record BlobProgress(String digest, long done, long total) implements ImageProgressEvent {
    }

    /**
     * A blob copied whole. {@code local}: to or from a local transport (docker-archive:, oci:, dir:, …), where podman
     * names blobs by their full digest rather than its first 12 hex digits.
     */
    record BlobCopied(String digest, long size, boolean local) implements ImageProgressEvent {
    }

    /** The image's config copied ({@code local}: as for {@link BlobCopied}). */
    record ConfigCopied(String digest, boolean local) implements ImageProgressEvent {
    }

    /** The manifest is being written to the destination. */
    record WritingManifest() implements ImageProgressEvent {
    }

    /** A copy to or from a local transport ends (podman's "Storing signatures"). */
    record StoringSignatures() implements ImageProgressEvent {
    }

    /**
     * A line the user should see as it is, which does not stop the transfer ("WARNING: image platform … does not
     * match …", the unpacker's "warning: skipped 2 device nodes …").
     */
    record Warning(String line) implements ImageProgressEvent {
    }

    /** An image of an archive is in the store under {@code name} (its id's hex when it has no name). */
    record Loaded(String name) implements ImageProgressEvent {
    }
}
