package io.jpod.engine.network;

/**
 * `network rm`'s options.
 *
 * @param force       the containers on the network are removed first
 * @param stopSeconds what a running one among them gets to stop before it is killed
 */
public record NetworkRemoveOptions(boolean force, int stopSeconds) {
}
