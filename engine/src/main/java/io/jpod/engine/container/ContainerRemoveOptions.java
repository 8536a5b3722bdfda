package io.jpod.engine.container;

/**
 * `rm`: @param force a running container is stopped first; @param volumes its anonymous volumes go too;
 * @param timeout seconds a running container gets to stop (0: killed at once).
 */
public record ContainerRemoveOptions(boolean force, boolean volumes, int timeout) {
}
