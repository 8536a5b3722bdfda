package io.jpod.engine.container;

import io.jpod.engine.image.PullPolicy;
import io.jpod.engine.EngineException;
import java.util.List;

/**
 * Everything `jpod run` was asked for, already parsed by the CLI, grouped by concern so each group can grow
 * on its own: the process, the image pull, networking, lifecycle (detach, tty, init), security (capabilities,
 * seccomp, mounts, user namespace) and resource limits; pod: --pod as given (an id, a name or new:NAME; null: none).
 */
public record RunRequest(
        String image,
        List<String> command,
        ProcessRequest process,
        String name,
        boolean remove,
        PullRequest pull,
        NetworkRequest network,
        LifecycleRequest lifecycle,
        SecurityRequest security,
        ResourceRequest resources,
        String pod) {

    /** Not in a pod. */
    public RunRequest(String image, List<String> command, ProcessRequest process, String name, boolean remove,
                      PullRequest pull, NetworkRequest network, LifecycleRequest lifecycle, SecurityRequest security,
                      ResourceRequest resources) {
        this(image, command, process, name, remove, pull, network, lifecycle, security, resources, null);
    }

    /** The same request for a container of the pod {@code podId}. */
    public RunRequest inPod(String podId) {
        return new RunRequest(image, command, process, name, remove, pull, network, lifecycle, security, resources, podId);
    }

    public RunRequest {
        if (remove && lifecycle != null && !lifecycle.restart().isNo()) {
            throw new EngineException("--rm and --restart " + lifecycle.restart().stored()
                    + " contradict each other (a removed container cannot be started again): drop one of them");
        }
        if (lifecycle != null && lifecycle.replace() && name == null) {
            throw new EngineException("cannot replace container without --name being set: give --name NAME with --replace");
        }
    }

    /**
     * What runs and as whom. groupAdd: --group-add (gids or names of the image's /etc/group); envHost: --env-host
     * (the caller's environment below the image's); timezone: --tz (a zoneinfo name or "local"; null: the image's).
     */
    public record ProcessRequest(String entrypoint, List<String> env, String workdir, String user, String hostname,
                                 List<String> groupAdd, boolean envHost, String timezone) {
        public ProcessRequest {
            groupAdd = groupAdd == null ? List.of() : List.copyOf(groupAdd);
        }

        public ProcessRequest(String entrypoint, List<String> env, String workdir, String user, String hostname) {
            this(entrypoint, env, workdir, user, hostname, List.of(), false, null);
        }
    }

    /** When and how the image is pulled. */
    public record PullRequest(PullPolicy policy, boolean tlsVerify, boolean quiet, String platform) {
    }

    /**
     * --network and friends: the mode with its options ({@code slirp4netns:allow_host_loopback=true}), --add-host,
     * -p/--publish specs, -P/--publish-all, --dns, --dns-search, --dns-option.
     */
    public record NetworkRequest(String mode, List<String> addHosts, List<String> publish, boolean publishAll,
                                 List<String> dns, List<String> dnsSearch, List<String> dnsOptions, boolean noHosts,
                                 List<String> aliases, String ip) {
        public NetworkRequest {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            if (noHosts && addHosts != null && !addHosts.isEmpty()) {
                throw new EngineException("--no-hosts and --add-host conflict (there is no /etc/hosts to add to): drop one of them");
            }
        }

        public NetworkRequest(String mode, List<String> addHosts) {
            this(mode, addHosts, List.of(), false, List.of(), List.of(), List.of());
        }

        /** No --network-alias, no --ip. */
        public NetworkRequest(String mode, List<String> addHosts, List<String> publish, boolean publishAll,
                              List<String> dns, List<String> dnsSearch, List<String> dnsOptions, boolean noHosts) {
            this(mode, addHosts, publish, publishAll, dns, dnsSearch, dnsOptions, noHosts, List.of(), null);
        }

        /** --no-hosts not given. */
        public NetworkRequest(String mode, List<String> addHosts, List<String> publish, boolean publishAll,
                              List<String> dns, List<String> dnsSearch, List<String> dnsOptions) {
            this(mode, addHosts, publish, publishAll, dns, dnsSearch, dnsOptions, false);
        }
    }

    /**
     * How the container is attached and supervised (-d, -t, -i, --init, --stop-signal, --stop-timeout, --label,
     * --log-*, --restart, --health-*, --replace, --cidfile). stopSignal and stopTimeout are null for the defaults
     * (SIGTERM, 10 s); health null keeps the image's check; cidFile is absolute (null: none).
     */
    public record LifecycleRequest(boolean detach, boolean tty, boolean interactive, boolean init, String stopSignal,
                                   Integer stopTimeout, java.util.Map<String, String> labels, LogConfig log,
                                   boolean createOnly, RestartPolicy restart, io.jpod.storage.HealthcheckConfig health,
                                   boolean replace, java.nio.file.Path cidFile, java.util.Set<String> attach,
                                   Long timeout, java.util.Map<String, String> annotations) {
        public LifecycleRequest {
            restart = restart == null ? RestartPolicy.NO : restart;
            attach = attach == null ? java.util.Set.of() : java.util.Set.copyOf(attach);
            annotations = annotations == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(annotations));
        }

        /** Without --annotation. */
        public LifecycleRequest(boolean detach, boolean tty, boolean interactive, boolean init, String stopSignal,
                                Integer stopTimeout, java.util.Map<String, String> labels, LogConfig log,
                                boolean createOnly, RestartPolicy restart, io.jpod.storage.HealthcheckConfig health,
                                boolean replace, java.nio.file.Path cidFile, java.util.Set<String> attach, Long timeout) {
            this(detach, tty, interactive, init, stopSignal, stopTimeout, labels, log, createOnly, restart, health, replace, cidFile, attach,
                    timeout, null);
        }

        /** Without --timeout (no limit on the run's length). */
        public LifecycleRequest(boolean detach, boolean tty, boolean interactive, boolean init, String stopSignal,
                                Integer stopTimeout, java.util.Map<String, String> labels, LogConfig log,
                                boolean createOnly, RestartPolicy restart, io.jpod.storage.HealthcheckConfig health,
                                boolean replace, java.nio.file.Path cidFile, java.util.Set<String> attach) {
            this(detach, tty, interactive, init, stopSignal, stopTimeout, labels, log, createOnly, restart, health, replace, cidFile, attach, null);
        }

        /** Without --attach (every stream attached). */
        public LifecycleRequest(boolean detach, boolean tty, boolean interactive, boolean init, String stopSignal,
                                Integer stopTimeout, java.util.Map<String, String> labels, LogConfig log,
                                boolean createOnly, RestartPolicy restart, io.jpod.storage.HealthcheckConfig health,
                                boolean replace, java.nio.file.Path cidFile) {
            this(detach, tty, interactive, init, stopSignal, stopTimeout, labels, log, createOnly, restart, health, replace, cidFile, null);
        }

        /** Without a health check override, --replace and --cidfile. */
        public LifecycleRequest(boolean detach, boolean tty, boolean interactive, boolean init, String stopSignal,
                                Integer stopTimeout, java.util.Map<String, String> labels, LogConfig log,
                                boolean createOnly, RestartPolicy restart) {
            this(detach, tty, interactive, init, stopSignal, stopTimeout, labels, log, createOnly, restart, null, false, null);
        }

        public LifecycleRequest(boolean detach, boolean tty, boolean interactive) {
            this(detach, tty, interactive, false, null, null, java.util.Map.of(), LogConfig.DEFAULT, false, RestartPolicy.NO);
        }

        public LifecycleRequest(boolean detach, boolean tty, boolean interactive, boolean init, String stopSignal,
                                Integer stopTimeout, java.util.Map<String, String> labels) {
            this(detach, tty, interactive, init, stopSignal, stopTimeout, labels, LogConfig.DEFAULT, false, RestartPolicy.NO);
        }

        /** `jpod create`: the same request, prepared and left in the created state. */
        public LifecycleRequest asCreateOnly() {
            return new LifecycleRequest(detach, tty, interactive, init, stopSignal, stopTimeout, labels, log, true, restart,
                    health, replace, cidFile, attach, timeout, annotations);
        }
    }

    /**
     * The sandbox: capabilities, seccomp, mounts, user namespace mode, resource limits of the process.
     *
     * @param capAdd       --cap-add names (with or without CAP_, or "all")
     * @param capDrop      --cap-drop names
     * @param privileged   all capabilities of the user namespace, no seccomp, no masked paths
     * @param securityOpts --security-opt values (no-new-privileges[=BOOL], seccomp=unconfined|FILE, label=disable)
     * @param volumes      -v HOST:CTR[:OPTS] and NAME:CTR[:OPTS]
     * @param mounts       --mount type=...,source=...,target=...
     * @param tmpfs        --tmpfs PATH[:OPTS]
     * @param readOnly     --read-only: the rootfs read-only
     * @param readOnlyTmpfs with --read-only: /tmp, /run, /var/tmp stay writable tmpfs (podman's default true)
     * @param userns       --userns (null: the default; "keep-id")
     * @param ulimits      --ulimit NAME=SOFT[:HARD]
     * @param devices      --device HOST[:CONTAINER][:PERMS]
     * @param secrets      --secret NAME[,type=mount|env][,target=…][,uid=…][,gid=…][,mode=…] (podman's secrets)
     * @param volumesFrom  --volumes-from CONTAINER[:ro|rw] (expanded into volumes when the container is made, {@link VolumesFrom})
     */
    public record SecurityRequest(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpts,
                                  List<String> volumes, List<String> mounts, List<String> tmpfs, boolean readOnly,
                                  boolean readOnlyTmpfs, String userns, List<String> ulimits, List<String> devices,
                                  List<String> hostUsers, List<String> secrets, List<String> volumesFrom) {
        /** Without --volumes-from. */
        public SecurityRequest(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpts,
                               List<String> volumes, List<String> mounts, List<String> tmpfs, boolean readOnly,
                               boolean readOnlyTmpfs, String userns, List<String> ulimits, List<String> devices,
                               List<String> hostUsers, List<String> secrets) {
            this(capAdd, capDrop, privileged, securityOpts, volumes, mounts, tmpfs, readOnly, readOnlyTmpfs, userns, ulimits, devices,
                    hostUsers, secrets, List.of());
        }

        /** Without --secret. */
        public SecurityRequest(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpts,
                               List<String> volumes, List<String> mounts, List<String> tmpfs, boolean readOnly,
                               boolean readOnlyTmpfs, String userns, List<String> ulimits, List<String> devices,
                               List<String> hostUsers) {
            this(capAdd, capDrop, privileged, securityOpts, volumes, mounts, tmpfs, readOnly, readOnlyTmpfs, userns, ulimits, devices, hostUsers, List.of());
        }

        /** Without --hostuser. */
        public SecurityRequest(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpts,
                               List<String> volumes, List<String> mounts, List<String> tmpfs, boolean readOnly,
                               boolean readOnlyTmpfs, String userns, List<String> ulimits, List<String> devices) {
            this(capAdd, capDrop, privileged, securityOpts, volumes, mounts, tmpfs, readOnly, readOnlyTmpfs, userns, ulimits, devices, List.of());
        }

        /** Without --device. */
        public SecurityRequest(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpts,
                               List<String> volumes, List<String> mounts, List<String> tmpfs, boolean readOnly,
                               boolean readOnlyTmpfs, String userns, List<String> ulimits) {
            this(capAdd, capDrop, privileged, securityOpts, volumes, mounts, tmpfs, readOnly, readOnlyTmpfs, userns, ulimits, List.of());
        }

        public SecurityRequest {
            devices = devices == null ? List.of() : List.copyOf(devices);
            hostUsers = hostUsers == null ? List.of() : List.copyOf(hostUsers);
            secrets = secrets == null ? List.of() : List.copyOf(secrets);
            volumesFrom = volumesFrom == null ? List.of() : List.copyOf(volumesFrom);
            capAdd = List.copyOf(capAdd);
            capDrop = List.copyOf(capDrop);
            securityOpts = List.copyOf(securityOpts);
            volumes = List.copyOf(volumes);
            mounts = List.copyOf(mounts);
            tmpfs = List.copyOf(tmpfs);
            ulimits = List.copyOf(ulimits);
        }

        /** The defaults: podman's sandbox. */
        public SecurityRequest() {
            this(List.of(), List.of(), false, List.of(), List.of(), List.of(), List.of(), false, true, null, List.of());
        }
    }

    /**
     * Resource limits, applied through the delegated cgroup (null = not set).
     *
     * @param memory            --memory SIZE
     * @param memorySwap        --memory-swap SIZE (memory plus swap) or -1
     * @param memoryReservation --memory-reservation SIZE
     * @param cpus              --cpus N (decimal)
     * @param cpuShares         --cpu-shares (v1 shares, converted to cpu.weight on v2)
     * @param cpuWeight         --cpu-weight (v2 weight, converted to shares on v1)
     * @param cpusetCpus        --cpuset-cpus LIST
     * @param pidsLimit         --pids-limit (null: podman's default 2048 where the pids controller exists; 0 or -1: none)
     * @param blockIo           --blkio-weight, --blkio-weight-device, --device-{read,write}-{bps,iops}
     * @param shmSize           --shm-size SIZE (null: podman's 64m; 0: no limit)
     */
    public record ResourceRequest(String memory, String memorySwap, String memoryReservation, String cpus, Long cpuShares,
                                  Long cpuWeight, String cpusetCpus, Long pidsLimit, BlockIoRequest blockIo, String shmSize) {
        /** Without --shm-size. */
        public ResourceRequest(String memory, String memorySwap, String memoryReservation, String cpus, Long cpuShares,
                               Long cpuWeight, String cpusetCpus, Long pidsLimit, BlockIoRequest blockIo) {
            this(memory, memorySwap, memoryReservation, cpus, cpuShares, cpuWeight, cpusetCpus, pidsLimit, blockIo, null);
        }

        /** No limits asked for (the default pids limit still applies). */
        public ResourceRequest() {
            this(null, null, null, null, null, null, null, null);
        }

        public ResourceRequest(String memory, String memorySwap, String memoryReservation, String cpus, Long cpuShares,
                               Long cpuWeight, String cpusetCpus, Long pidsLimit) {
            this(memory, memorySwap, memoryReservation, cpus, cpuShares, cpuWeight, cpusetCpus, pidsLimit, BlockIoRequest.NONE);
        }

        public ResourceRequest {
            blockIo = blockIo == null ? BlockIoRequest.NONE : blockIo;
        }
    }

    /**
     * Block I/O limits, podman's syntax: weight 10-1000 (0: none); devices as {@code PATH:VALUE} (a block device
     * path, resolved to major:minor), rates with b/k/m/g units, IOPS as a number.
     */
    public record BlockIoRequest(Integer weight, List<String> weightDevice, List<String> readBps, List<String> writeBps,
                                 List<String> readIops, List<String> writeIops) {
        public static final BlockIoRequest NONE = new BlockIoRequest(null, List.of(), List.of(), List.of(), List.of(), List.of());

        public BlockIoRequest {
            weightDevice = weightDevice == null ? List.of() : List.copyOf(weightDevice);
            readBps = readBps == null ? List.of() : List.copyOf(readBps);
            writeBps = writeBps == null ? List.of() : List.copyOf(writeBps);
            readIops = readIops == null ? List.of() : List.copyOf(readIops);
            writeIops = writeIops == null ? List.of() : List.copyOf(writeIops);
        }

        public boolean requested() {
            return (weight != null && weight != 0) || !weightDevice.isEmpty() || !readBps.isEmpty() || !writeBps.isEmpty()
                    || !readIops.isEmpty() || !writeIops.isEmpty();
        }
    }
}
