package io.jpod.engine.container;

/** A stopped container: @param warning podman's warning when it took SIGKILL after the timeout, else null. */
public record ContainerStopReport(String id, String warning) {
}
