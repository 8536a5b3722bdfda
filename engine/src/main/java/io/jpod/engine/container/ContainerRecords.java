package io.jpod.engine.container;

import io.jpod.storage.ContainerRecord;

import java.util.List;

/**
 * The store's records behind {@link ContainerService}'s reports, states reconciled with reality: for the engine's
 * own callers (pods, `kube generate`, system info), which {@code Engine} hands them to. Front ends use the reports.
 */
public interface ContainerRecords {
    /** All containers, newest first. */
    List<ContainerRecord> list();

    /** One container. */
    ContainerRecord get(String nameOrId);
}
