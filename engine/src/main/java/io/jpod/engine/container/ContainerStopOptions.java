package io.jpod.engine.container;

/** `stop`: @param timeout seconds before SIGKILL; null: the container's own stop timeout. */
public record ContainerStopOptions(Integer timeout) {
}
