package io.jpod.engine.container;

/**
 * What `run`/`create` did: the container's full id (null when it was never created) and the exit code (a foreground
 * run: the container's; detached or created: 0 unless the start failed).
 */
public record ContainerRunReport(String id, int exitCode) {
}
