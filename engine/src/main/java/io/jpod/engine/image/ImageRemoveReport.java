package io.jpod.engine.image;

import java.util.List;

/** What `rmi` did, image by image in the order they were done (podman's Untagged/Deleted). */
public record ImageRemoveReport(List<Removed> images) {
    public ImageRemoveReport {
        images = List.copyOf(images);
    }

    /**
     * One image's part.
     *
     * @param untagged the names (or digest references) it lost
     * @param deleted  its id (hex) when the image itself went, else null
     */
    public record Removed(List<String> untagged, String deleted) {
        public Removed {
            untagged = List.copyOf(untagged);
        }
    }
}
