package io.jpod.engine.pod;

import io.jpod.storage.ContainerState;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One row of `pod ps` (as podman's entities.ListPodsReport): the pod, its state (podman's Created, Running, Degraded,
 * Stopped, Exited), its infra and its other containers, newest first, their states reconciled; read once, so the
 * row's state and its containers agree. The front end renders the table, Go templates and JSON from it.
 *
 * @param created    when it was made, or null when unknown
 * @param infraId    its infra container's id, or null when it has none
 * @param infraName  its infra's name (--infra-name, else podman's ID-infra), or null when it has none
 * @param infraState its infra's state, or null when it has none
 */
public record PodListReport(String id, String name, Instant created, Map<String, String> labels, String state,
                            String infraId, String infraName, ContainerState infraState, List<Member> containers) {
    /** One of the pod's containers (not the infra). */
    public record Member(String id, String name, ContainerState state) {
    }
}
