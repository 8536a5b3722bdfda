package io.jpod.engine.container;

import io.jpod.storage.ContainerState;

/**
 * One container found by name or id, its state reconciled with reality: what a front end checks before it acts
 * (the API's start/stop/kill/rm/attach/logs/exec, `wait --condition`, the full id for a name).
 *
 * @param imageId     the image's id as stored (no "sha256:"), or null
 * @param exitCode    the last exit code, null when it has none
 * @param health      "starting", "healthy" or "unhealthy" when it has a health check, else null
 * @param pod         the id of its pod, or null
 * @param tty         whether it was made with a terminal (-t)
 * @param interactive whether its stdin is kept open (-i)
 */
public record ContainerLookupReport(String id, String name, String imageId, ContainerState state, Integer exitCode,
                                    String health, String pod, boolean tty, boolean interactive) {
}
