package io.jpod.engine.image;

import java.util.List;

/**
 * `save`'s options.
 *
 * @param images       IMAGE [IMAGE…]: without {@code multi} the extra arguments are more names for the first image
 * @param multi        -m: several images in one docker-archive
 * @param format       docker-archive, oci-archive, oci-dir or docker-dir
 * @param uncompressed an oci-archive's layers as plain tars
 * @param compress     a docker-dir's layers compressed
 */
public record ImageSaveOptions(List<String> images, boolean multi, String format, boolean uncompressed, boolean compress) {
    public ImageSaveOptions {
        images = List.copyOf(images);
    }
}
