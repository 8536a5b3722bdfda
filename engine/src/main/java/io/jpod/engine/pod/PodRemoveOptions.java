package io.jpod.engine.pod;

/** `pod rm`: @param force running containers are stopped first, given @param timeout seconds (0: killed at once). */
public record PodRemoveOptions(boolean force, int timeout) {
}
