package io.jpod.engine.image;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's front door for the images in local storage: what `jpod images`, `image inspect/exists/history/tag/
 * untag/rm/prune` and the API's {@code /images} call. Options in, reports out; the callers render the reports.
 * (Pulling, pushing, save/load/import and login/logout still go through {@link io.jpod.engine.Engine}.)
 */
public interface ImageService {
    /** `images`: every stored image (without {@link ImageListOptions#all()} not the intermediate ones of builds). */
    List<ImageSummaryReport> list(ImageListOptions options);

    /** Ids (hex) of images whose record is damaged, which {@link #list} leaves out. */
    List<String> damaged();

    /** The image of that name or id, if it is stored here. */
    Optional<ImageSummaryReport> find(String nameOrId);

    /** The image of that name or id; {@link io.jpod.engine.NoSuchImageException} when it is not stored here. */
    ImageSummaryReport get(String nameOrId);

    /** `image inspect`: podman's fields. */
    Map<String, Object> inspect(String nameOrId);

    /** `history`: the image's layers, newest first. */
    ImageHistoryReport history(String nameOrId);

    /** `tag`: more names for the image (a name without a registry goes under localhost/). */
    void tag(String image, List<String> targets);

    /** `untag`: the names given, or every name. */
    void untag(String image, List<String> names);

    /**
     * `rmi`: each image in turn (a name of several only untags it); {@link io.jpod.engine.NoSuchImageException} or
     * {@link io.jpod.engine.ImageInUseException} stop at the image that failed.
     */
    ImageRemoveReport remove(List<String> images, ImageRemoveOptions options);

    /** `image prune`: dangling images, or with all every image no container uses. */
    ImagePruneReport prune(ImagePruneOptions options);
}
