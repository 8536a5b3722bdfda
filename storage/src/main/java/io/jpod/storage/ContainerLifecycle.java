package io.jpod.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The run-time side of a container record: how it was started, who supervises it, and how it ended.
 * Written atomically with the rest of {@code container.json}; absent in records of older jpod versions.
 *
 * @param monitorPid        host pid of the native monitor (its exit command keeps the pid until teardown is done)
 * @param monitorStartTicks the monitor's start time (/proc/PID/stat field 22), so a recycled pid is not mistaken for it
 * @param pid               host pid of the container's init
 * @param startedAt         when the container last started
 * @param finishedAt        when it last ended
 * @param error             why the state is what it is when jpod had to guess (e.g. the monitor was killed)
 * @param config            what the container was created with (for inspect, exec, start)
 * @param oomKilled         true when the kernel's OOM killer killed a process of the container's cgroup during its
 *                          last run (null: not known or not killed)
 * @param restartCount      how often --restart started the container again (null: never)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerLifecycle(Long monitorPid, Long monitorStartTicks, Long pid, Instant startedAt, Instant finishedAt,
                                 String error, Config config, Boolean oomKilled, Integer restartCount) {

    /** Without the OOM flag and restarts (records of older jpod versions, and before a container has ended). */
    public ContainerLifecycle(Long monitorPid, Long monitorStartTicks, Long pid, Instant startedAt, Instant finishedAt,
                              String error, Config config) {
        this(monitorPid, monitorStartTicks, pid, startedAt, finishedAt, error, config, null, null);
    }

    /**
     * The creation-time settings a later command needs.
     *
     * @param logDriver  --log-driver: k8s-file (null: the default) or none
     * @param logPath    --log-opt path= (null: ctr.log in the container's directory)
     * @param logMaxSize --log-opt max-size= in bytes (null: jpod's default cap; -1: none)
     * @param restart    --restart: always, unless-stopped, on-failure or on-failure:N (null: no)
     * @param healthcheck --health-* or the image's HEALTHCHECK (null: none)
     * @param runFlags   --shm-size, --device, --group-add, --tz, --cidfile, --no-hosts (null: none given)
     * @param pod        the id of the pod the container belongs to (null: none)
     * @param service    true for a service container (kube play --service-container): the pods that name it in
     *                   {@link PodRecord#serviceContainerId} start, stop and remove it (null: an ordinary container)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Config(String hostname, String user, String workdir, List<String> env, List<String> entrypoint,
                         Map<String, String> labels, boolean tty, boolean interactive, boolean init,
                         boolean autoRemove, String stopSignal, Integer stopTimeout, String network,
                         String storageDriver, String logDriver, String logPath, Long logMaxSize, String restart,
                         HealthcheckConfig healthcheck, RunFlags runFlags, String pod, Boolean service) {

        /** Not a service container. */
        public Config(String hostname, String user, String workdir, List<String> env, List<String> entrypoint,
                      Map<String, String> labels, boolean tty, boolean interactive, boolean init,
                      boolean autoRemove, String stopSignal, Integer stopTimeout, String network,
                      String storageDriver, String logDriver, String logPath, Long logMaxSize, String restart,
                      HealthcheckConfig healthcheck, RunFlags runFlags, String pod) {
            this(hostname, user, workdir, env, entrypoint, labels, tty, interactive, init, autoRemove, stopSignal,
                    stopTimeout, network, storageDriver, logDriver, logPath, logMaxSize, restart, healthcheck, runFlags, pod, null);
        }

        /** The same settings, marked as a service container's. */
        public Config asService() {
            return new Config(hostname, user, workdir, env, entrypoint, labels, tty, interactive, init, autoRemove, stopSignal,
                    stopTimeout, network, storageDriver, logDriver, logPath, logMaxSize, restart, healthcheck, runFlags, pod, Boolean.TRUE);
        }

        Config immutable() {
            return new Config(hostname, user, workdir, unmodifiable(env), unmodifiable(entrypoint), unmodifiable(labels), tty,
                    interactive, init, autoRemove, stopSignal, stopTimeout, network, storageDriver, logDriver, logPath,
                    logMaxSize, restart, healthcheck, runFlags == null ? null : runFlags.immutable(), pod, service);
        }

        /** Not in a pod. */
        public Config(String hostname, String user, String workdir, List<String> env, List<String> entrypoint,
                      Map<String, String> labels, boolean tty, boolean interactive, boolean init,
                      boolean autoRemove, String stopSignal, Integer stopTimeout, String network,
                      String storageDriver, String logDriver, String logPath, Long logMaxSize, String restart,
                      HealthcheckConfig healthcheck, RunFlags runFlags) {
            this(hostname, user, workdir, env, entrypoint, labels, tty, interactive, init, autoRemove, stopSignal,
                    stopTimeout, network, storageDriver, logDriver, logPath, logMaxSize, restart, healthcheck, runFlags, null);
        }

        /** Without a health check and the further run flags. */
        public Config(String hostname, String user, String workdir, List<String> env, List<String> entrypoint,
                      Map<String, String> labels, boolean tty, boolean interactive, boolean init,
                      boolean autoRemove, String stopSignal, Integer stopTimeout, String network,
                      String storageDriver, String logDriver, String logPath, Long logMaxSize, String restart) {
            this(hostname, user, workdir, env, entrypoint, labels, tty, interactive, init, autoRemove, stopSignal,
                    stopTimeout, network, storageDriver, logDriver, logPath, logMaxSize, restart, null, null);
        }

        /** No restart policy. */
        public Config(String hostname, String user, String workdir, List<String> env, List<String> entrypoint,
                      Map<String, String> labels, boolean tty, boolean interactive, boolean init,
                      boolean autoRemove, String stopSignal, Integer stopTimeout, String network,
                      String storageDriver, String logDriver, String logPath, Long logMaxSize) {
            this(hostname, user, workdir, env, entrypoint, labels, tty, interactive, init, autoRemove, stopSignal,
                    stopTimeout, network, storageDriver, logDriver, logPath, logMaxSize, null);
        }

        /** Default log settings. */
        public Config(String hostname, String user, String workdir, List<String> env, List<String> entrypoint,
                      Map<String, String> labels, boolean tty, boolean interactive, boolean init,
                      boolean autoRemove, String stopSignal, Integer stopTimeout, String network,
                      String storageDriver) {
            this(hostname, user, workdir, env, entrypoint, labels, tty, interactive, init, autoRemove, stopSignal,
                    stopTimeout, network, storageDriver, null, null, null, null);
        }
    }

    /**
     * The further run/create flags, as given (for inspect).
     *
     * @param shmSize  --shm-size in bytes (null: 64 MiB; 0: no limit)
     * @param devices  --device as HOST:CONTAINER:PERMS
     * @param groupAdd --group-add as given
     * @param timezone --tz as given
     * @param cidFile  --cidfile, absolute
     * @param noHosts  --no-hosts (null: not given)
     * @param timeout  --timeout in seconds: the monitor kills the container then (null: none)
     * @param ociRuntime --runtime (or JPOD_HELPER): the helper that runs the container (null: the installed one)
     * @param annotations --annotation KEY=VALUE (and kube play's), inspect's Config.Annotations (null: none)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RunFlags(Long shmSize, List<String> devices, List<String> groupAdd, String timezone, String cidFile,
                           Boolean noHosts, Long timeout, String ociRuntime, Map<String, String> annotations) {
        RunFlags immutable() {
            return new RunFlags(shmSize, unmodifiable(devices), unmodifiable(groupAdd), timezone, cidFile, noHosts, timeout,
                    ociRuntime, unmodifiable(annotations));
        }

        /** Without annotations. */
        public RunFlags(Long shmSize, List<String> devices, List<String> groupAdd, String timezone, String cidFile,
                        Boolean noHosts, Long timeout, String ociRuntime) {
            this(shmSize, devices, groupAdd, timezone, cidFile, noHosts, timeout, ociRuntime, null);
        }
    }

    /** The same with its lists and maps unmodifiable: records read from the store are shared (see ContentCache). */
    ContainerLifecycle immutable() {
        return config == null ? this : new ContainerLifecycle(monitorPid, monitorStartTicks, pid, startedAt, finishedAt, error,
                config.immutable(), oomKilled, restartCount);
    }

    /** An unmodifiable copy (null elements and order kept, unlike List.copyOf), null for null. */
    static <T> List<T> unmodifiable(List<T> list) {
        return list == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(list));
    }

    /** An unmodifiable copy in the same order, null for null. */
    static <K, V> Map<K, V> unmodifiable(Map<K, V> map) {
        return map == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(map));
    }

    /** A new run: the end of the last one is forgotten, the restart count kept. */
    public ContainerLifecycle withRun(Long monitorPid, Long monitorStartTicks, Long pid, Instant startedAt) {
        return new ContainerLifecycle(monitorPid, monitorStartTicks, pid, startedAt, null, null, config, null, restartCount);
    }

    public ContainerLifecycle withEnd(Instant finishedAt, String error) {
        return new ContainerLifecycle(monitorPid, monitorStartTicks, pid, startedAt, finishedAt, error, config, oomKilled, restartCount);
    }

    public ContainerLifecycle withOomKilled(boolean killed) {
        return new ContainerLifecycle(monitorPid, monitorStartTicks, pid, startedAt, finishedAt, error, config, killed ? Boolean.TRUE : null,
                restartCount);
    }

    /** One more start by the restart policy. */
    public ContainerLifecycle withRestarted() {
        return new ContainerLifecycle(monitorPid, monitorStartTicks, pid, startedAt, finishedAt, error, config, oomKilled,
                restartCount == null ? 1 : restartCount + 1);
    }
}
