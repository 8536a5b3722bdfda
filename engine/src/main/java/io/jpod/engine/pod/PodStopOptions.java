package io.jpod.engine.pod;

/** `pod stop`: @param timeout seconds before SIGKILL; null: each container's own stop timeout. */
public record PodStopOptions(Integer timeout) {
}
