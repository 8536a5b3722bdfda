package io.jpod.engine.container;

/** `restart`: @param timeout seconds before SIGKILL; null: the container's own stop timeout. */
public record ContainerRestartOptions(Integer timeout) {
}
