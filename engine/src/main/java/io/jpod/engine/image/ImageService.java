package io.jpod.engine.image;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's front door for the images in local storage: what `jpod images`, `image inspect/exists/history/tag/
 * untag/rm/prune`, `pull`, `push`, `load`, `save`, `import`, `login` and the API's {@code /images} call. Options in,
 * reports and progress events out; the callers render them (podman's lines, docker's JSON).
 */
public interface ImageService {
    /** `images`: every stored image (without {@link ImageListOptions#all()} not the intermediate ones of builds). */
    List<ImageSummaryReport> list(ImageListOptions options);

    /** How many images {@link #list} with all would list, without reading their configs (`info`). */
    int count();

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

    /** `save` to a tarball (docker-archive or oci-archive) written to {@code out}. */
    void save(ImageSaveOptions options, java.io.OutputStream out);

    /** `save --format oci-dir|docker-dir`: a new directory {@code target}, written whole or not at all. */
    void saveDirectory(ImageSaveOptions options, java.nio.file.Path target);

    /**
     * `import`: a root filesystem tarball ({@code file}, or {@code in} when null) as a new one-layer image; the
     * unpacker's warnings go to {@code warnings} (null: nowhere).
     */
    ImageSummaryReport importTarball(ImageImportOptions options, java.nio.file.Path file, java.io.InputStream in,
                                     java.util.function.Consumer<io.jpod.image.ImageProgressEvent> warnings);

    /**
     * `pull`: into the store (a registry, or a local transport such as docker-archive:PATH); progress goes to
     * {@code progress} (null: nowhere) as it happens. Recorded as an image event.
     */
    ImagePullReport pull(ImagePullOptions options, java.util.function.Consumer<io.jpod.image.ImageProgressEvent> progress);

    /** `push`: a stored image to a registry or a local transport. Recorded as an image event. */
    ImagePushReport push(ImagePushOptions options, java.util.function.Consumer<io.jpod.image.ImageProgressEvent> progress);

    /**
     * `load`: the images of an archive or layout directory ({@link ImageLoadOptions#file()}), or of the archive read
     * from {@code in} when that is null. Recorded as one event for the archive.
     */
    ImageLoadReport load(ImageLoadOptions options, java.io.InputStream in,
                         java.util.function.Consumer<io.jpod.image.ImageProgressEvent> progress);

    /** `search`: repositories (or with listTags one repository's tags) of registries; see {@link ImageSearchOptions}. */
    List<ImageSearchReport> search(ImageSearchOptions options);

    /** `login`: checks the credentials with the registry and stores them; the file written. */
    java.nio.file.Path login(ImageLoginOptions options);

    /** `logout`: false when there were no credentials for the registry (null: every registry). */
    boolean logout(String registry, String authfile);
}
