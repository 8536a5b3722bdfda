package io.jpod.engine.container;

import io.jpod.engine.RequestContext;
import io.jpod.image.ImageProgressEvent;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine's front door for containers (as podman's ContainerEngine): typed options in, typed reports out; a
 * command that streams writes to the caller's streams in its {@link RequestContext}. The CLI and the Docker API only
 * parse and render.
 */
public interface ContainerService {
    /** `ps` and the API's container list: one row per container, newest first (see {@link ContainerListReport}). */
    List<ContainerListReport> list(ContainerListOptions options);

    /** One container by name or id (see {@link ContainerLookupReport}); NoSuchContainerException when there is none. */
    ContainerLookupReport lookup(String nameOrId);

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

    /**
     * `run`: creates the container (pulling its image as the request's policy says, its events to {@code pullProgress},
     * which the front end renders; null: nowhere) and starts it, in the foreground unless detached; the report has its
     * id and exit code.
     */
    ContainerRunReport run(RunRequest request, Consumer<ImageProgressEvent> pullProgress);

    /** `create`: run's preparation without the start; the report has the new container's id. */
    ContainerRunReport create(RunRequest request, Consumer<ImageProgressEvent> pullProgress);

    /** Starts a created or stopped container; attached: in the foreground, returning its exit code (detached: 0 once started). */
    int start(String nameOrId, ContainerStartOptions options);

    /** `exec`: a process in a running container; its exit code (detached: 0 once started). */
    int exec(ExecRequest request);

    /**
     * `attach`: the container's output to the context's stdout/stderr, and the caller's stdin to a -i container,
     * through the monitor's attach socket until the detach keys or the container's end; its exit code (0 after a detach).
     */
    int attach(String nameOrId, AttachOptions options, RequestContext context);

    /** Connects to a running container's monitor (the API's attach: see {@link AttachSession}). */
    AttachSession openAttach(String nameOrId) throws java.io.IOException;

    /** `cp`: see {@link ContainerCopyOptions}; a host side "-" reads the context's stdin or writes its stdout. */
    void copy(ContainerCopyOptions options, RequestContext context);

    /** docker's archive GET/HEAD: see {@link Copier#archiveOut}. */
    void archiveOut(String nameOrId, String path, java.util.function.Function<Copier.PathStat, java.io.OutputStream> open);

    /** docker's archive PUT: see {@link Copier#archiveIn}. */
    void archiveIn(String nameOrId, String directory, java.io.InputStream tar);

    /** `stats`: samples of the containers named (none: every running one); see {@link ContainerStatsStream}. */
    ContainerStatsStream stats(List<String> namesOrIds);

    /** The raw counters of one container now (docker's stats API computes its own rates from them). */
    ContainerCounters counters(String nameOrId);

    /** podman's inspect objects (their shape is podman's JSON, so a map renders for json and templates alike). */
    List<Map<String, Object>> inspect(List<String> namesOrIds);
}
