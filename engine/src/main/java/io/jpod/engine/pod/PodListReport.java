package io.jpod.engine.pod;

import io.jpod.storage.ContainerState;
import io.jpod.storage.PodRecord;

import java.util.List;

/**
 * One row of `pod ps`: the pod, its state (podman's Created, Running, Degraded, Stopped, Exited), its infra's state
 * (null: it has no infra) and its other containers, newest first, their states reconciled; read once, so the row's
 * state and its containers agree.
 */
public record PodListReport(PodRecord pod, String state, ContainerState infraState, List<Member> containers) {
    /** One of the pod's containers (not the infra). */
    public record Member(String id, String name, ContainerState state) {
    }
}
