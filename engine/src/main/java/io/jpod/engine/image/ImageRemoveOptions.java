package io.jpod.engine.image;

/**
 * `rmi`'s options.
 *
 * @param force also the containers using an image (stopped ones), and images named several times given by id
 * @param all   every image, after those named
 * @param removeRunning with force, running containers of the image are stopped and removed too (podman's rmi -f)
 */
public record ImageRemoveOptions(boolean force, boolean all, boolean removeRunning) {
    /** Without removeRunning: a running container of the image refuses its removal (docker's rule, the API's). */
    public ImageRemoveOptions(boolean force, boolean all) {
        this(force, all, false);
    }
}
