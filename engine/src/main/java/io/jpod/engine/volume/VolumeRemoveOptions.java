package io.jpod.engine.volume;

/**
 * `volume rm`'s options.
 *
 * @param force            a stopped container's use does not hold the volume
 * @param removeContainers the containers that use it are removed first (podman's `volume rm --force`)
 * @param stopSeconds      what a running container among them gets to stop before it is killed
 */
public record VolumeRemoveOptions(boolean force, boolean removeContainers, int stopSeconds) {
    /** podman's `volume rm [--force] [--time]`: force also removes the containers that use the volume. */
    public static VolumeRemoveOptions cli(boolean force, int stopSeconds) {
        return new VolumeRemoveOptions(force, force, stopSeconds);
    }

    /** docker's DELETE /volumes/NAME[?force]: the volume only, never its containers. */
    public static VolumeRemoveOptions volumeOnly(boolean force) {
        return new VolumeRemoveOptions(force, false, 0);
    }
}
