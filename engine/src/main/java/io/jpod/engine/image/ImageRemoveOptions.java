package io.jpod.engine.image;

/**
 * `rmi`'s options.
 *
 * @param force also the containers using an image (stopped ones), and images named several times given by id
 * @param all   every image, after those named
 */
public record ImageRemoveOptions(boolean force, boolean all) {
}
