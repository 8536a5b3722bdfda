package io.jpod.tests.support;

import java.util.ArrayList;
import java.util.List;

/**
 * An image ready to push: compressed layer blobs (bottom first), their diff_ids, the config blob and the manifest blob.
 * {@link #imageId()} is the config digest, which is what `jpod images` and podman call the image id.
 */
public record BuiltImage(OciImageBuilder.Format format, List<Blob> layers, List<String> diffIds, Blob config,
                         Blob manifest) {

    public BuiltImage {
        layers = List.copyOf(layers);
        diffIds = List.copyOf(diffIds);
    }

    public String imageId() {
        return config.digest();
    }

    public String manifestDigest() {
        return manifest.digest();
    }

    /** Pushes this image to {@code registry} as {@code repository:tag}; returns the manifest digest. */
    public String push(LocalRegistry registry, String repository, String tag) {
        return registry.push(this, repository, tag);
    }

    /** Layers then config: the order a push uploads them in (the manifest goes last). */
    public List<Blob> blobs() {
        List<Blob> all = new ArrayList<>(layers);
        all.add(config);
        return all;
    }
}
