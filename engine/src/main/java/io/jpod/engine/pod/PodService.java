package io.jpod.engine.pod;

import io.jpod.image.ImageProgressEvent;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine's front door for pods (as podman's pod entities): typed requests and options in, report records and
 * podman's JSON objects (inspect) out. The CLI and `kube play` only parse and render; neither reads the store's
 * {@code PodRecord}.
 */
public interface PodService {
    /**
     * `pod create`: the pod and its infra container.
     *
     * @param pullProgress the events of pulling a missing --infra-image (warnings only: it is pulled quietly, as
     *                     podman does); the front end renders them; null: nowhere
     */
    PodCreateReport create(PodCreateRequest request, Consumer<ImageProgressEvent> pullProgress);

    /** The pod of that name or id. */
    PodLookupReport lookup(String nameOrId);

    boolean exists(String nameOrId);

    /** `pod ps`: a row per pod, newest first (see {@link PodListReport}). */
    List<PodListReport> listReports();

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

    /** podman's `pod inspect` object of the pod of that name or id. */
    Map<String, Object> inspect(String nameOrId);

    /** `pod top`: a header, then the processes of every running container of the pod. */
    List<String[]> top(String nameOrId);

    /** `pod stats --no-stream`: each running container's stats row. */
    List<Map<String, Object>> stats(String nameOrId);
}
