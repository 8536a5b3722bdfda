package io.jpod.engine.container;

import io.jpod.network.PortMapping;
import io.jpod.storage.ContainerState;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One row of the container list (as podman's entities.ListContainer): what `ps` (table, Go template, JSON) and the
 * API's /containers/json render, the container's state reconciled with reality. Times are null when unknown.
 *
 * @param exitCode      the last exit code, null when it has none
 * @param labels        its labels, null when none were recorded
 * @param pid           the container's init process as the host sees it, 0 unless running
 * @param health        "starting", "healthy" or "unhealthy" for a running container with a check, else null
 * @param ports         the ports it publishes (recorded at its start), in the order given
 * @param pod           the id of its pod, or null
 * @param podName       the name of its pod, or null
 * @param networkMode   its --network as given, or null for the default
 * @param restartPolicy its --restart as given, or null
 */
public record ContainerListReport(String id, List<String> names, String image, String imageId, List<String> command,
                                  Instant created, ContainerState state, Integer exitCode, long pid, Instant startedAt,
                                  Instant exitedAt, String health, Map<String, String> labels, List<PortMapping> ports,
                                  String pod, String podName, String networkMode, String restartPolicy) {
    /** The first (jpod: the only) name. */
    public String name() {
        return names.get(0);
    }
}
