package io.jpod.engine.pod;

import io.jpod.storage.ContainerState;
import io.jpod.storage.PodRecord;

import java.util.List;
import java.util.Map;

/**
 * The engine's front door for pods (as podman's pod entities): typed requests and options in, records and podman's
 * JSON objects (inspect, ps) out. The CLI and `kube play` only parse and render.
 */
public interface PodService {
    PodRecord create(PodCreateRequest request);

    PodRecord get(String nameOrId);

    boolean exists(String nameOrId);

    List<PodRecord> list();

    /** `pod ps`: a row per pod, in the store's order (see {@link PodListReport}). */
    List<PodListReport> listReports();

    /** The infra's state (null: the pod has none). */
    ContainerState infraState(PodRecord pod);

    /** podman's pod state (Created, Running, Degraded, Stopped, Exited). */
    String state(PodRecord pod);

    void start(String nameOrId);

    void stop(String nameOrId, PodStopOptions options);

    void restart(String nameOrId);

    /**
     * kube play --service-container: creates the service container {@code name} (replacing a container of that name
     * with {@code replace}); pods made with {@link PodCreateRequest#withServiceContainer} are linked to it. Its id.
     */
    String createServiceContainer(String name, boolean replace);

    void kill(String nameOrId, PodKillOptions options);

    void remove(String nameOrId, PodRemoveOptions options);

    /** Removes the pod whose infra container is removed (rm --depend/--all, rmi -f); the ids of its containers and infra. */
    List<String> removeWithInfra(String podId, boolean force, int stopSeconds);

    /** Removes every pod that is not running; their ids. */
    List<String> prune();

    /** podman's `pod inspect` object. */
    Map<String, Object> inspect(PodRecord pod);

    /** podman's `pod ps --format json` object of a row. */
    Map<String, Object> listEntry(PodListReport row);

    /** `pod top`: a header, then the processes of every running container of the pod. */
    List<String[]> top(String nameOrId);

    /** `pod stats --no-stream`: each running container's stats row. */
    List<Map<String, Object>> stats(String nameOrId);
}
