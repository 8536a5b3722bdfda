package io.jpod.engine.container;

import io.jpod.engine.RequestContext;
import io.jpod.storage.ContainerRecord;

import java.util.List;
import java.util.Map;

/**
 * The engine's front door for containers (as podman's ContainerEngine): typed options in, typed reports out; a
 * command that streams writes to the caller's streams in its {@link RequestContext}. The CLI and the Docker API only
 * parse and render.
 */
public interface ContainerService {
    /** All containers, newest first, their states reconciled with reality. */
    List<ContainerRecord> list();

    /** One container, its state reconciled with reality. */
    ContainerRecord get(String nameOrId);

    /** Whether a container has this name or id. */
    boolean exists(String nameOrId);

    ContainerStopReport stop(String nameOrId, ContainerStopOptions options);

    void kill(String nameOrId, ContainerKillOptions options);

    ContainerRemoveReport remove(String nameOrId, ContainerRemoveOptions options);

    /** Blocks until the condition holds; the container's exit code. */
    int wait(String nameOrId, ContainerWaitOptions options);

    void restart(String nameOrId, ContainerRestartOptions options);

    void rename(String nameOrId, String newName);

    /** Removes every container that is not running. */
    ContainerPruneReport prune();

    /**
     * Several containers' logs to the context's stdout/stderr, as podman's: with more than one, each line after its
     * container's short id; with --follow read side by side until every container has ended.
     */
    void logs(List<String> namesOrIds, LogOptions options, RequestContext context);

    /** `top` with podman's format descriptors (none: user, pid, ppid, args). */
    ContainerTopReport top(String nameOrId, List<String> descriptors);

    /** podman's inspect objects (their shape is podman's JSON, so a map renders for json and templates alike). */
    List<Map<String, Object>> inspect(List<String> namesOrIds);
}
