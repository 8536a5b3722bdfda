package io.jpod.cli;

import io.jpod.engine.container.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** `jpod run` options about the sandbox (capabilities, seccomp, mounts, user namespace, limits), podman's meaning. */
@Command
public final class RunSecurityOptions {
    @Option(names = "--cap-add", split = ",", paramLabel = "CAP", description = "Add a capability (e.g. NET_ADMIN, CAP_SYS_PTRACE, all)")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", split = ",", paramLabel = "CAP", description = "Drop a capability (or all)")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--privileged", description = "All capabilities of the user namespace, no seccomp filter, no masked paths")
    boolean privileged;

    @Option(names = "--security-opt", paramLabel = "OPT", description = "no-new-privileges[=BOOL], seccomp=unconfined, seccomp=jpod-strict (stricter than podman's), seccomp=FILE, mask=PATHS, unmask=PATHS|ALL, label=disable")
    List<String> securityOpts = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, paramLabel = "SRC:DEST[:OPTS]", description = "Bind mount a host path or a named volume (OPTS: ro, rw, z, Z, …)")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--volumes-from", paramLabel = "CONTAINER[:OPTIONS]",
            description = "Mount the volumes and bind mounts of CONTAINER at the same places (OPTIONS: ro or rw, default: as there)")
    List<String> volumesFrom = new ArrayList<>();

    @Option(names = "--mount", paramLabel = "type=TYPE,…", description = "Mount: type=bind|volume|tmpfs,source=…,target=…[,readonly]")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--tmpfs", paramLabel = "PATH[:OPTS]", description = "Mount a tmpfs at PATH")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = "--read-only", description = "Mount the container's root filesystem read-only")
    boolean readOnly;

    @Option(names = "--read-only-tmpfs", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "With --read-only, mount writable tmpfs on /tmp, /run and /var/tmp (default: true)")
    boolean readOnlyTmpfs;

    @Option(names = "--userns", paramLabel = "MODE", description = "User namespace mode: keep-id (your uid and gid inside)")
    String userns;

    @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "Resource limit, e.g. nofile=1024:2048")
    List<String> ulimits = new ArrayList<>();

    @Option(names = "--device", paramLabel = "HOST[:CONTAINER][:PERMS]", description = "Add a host device node (e.g. /dev/fuse)")
    List<String> devices = new ArrayList<>();

    @Option(names = "--hostuser", paramLabel = "NAME|UID", description = "Add this host user's /etc/passwd entry to the container's (repeatable)")
    List<String> hostUsers = new ArrayList<>();

    @Option(names = "--secret", paramLabel = "NAME[,OPTS]", description = "Give the container a secret (jpod secret create): "
            + "a file at /run/secrets/NAME; OPTS: type=mount|env, target=, uid=, gid=, mode=")
    List<String> secrets = new ArrayList<>();

    RunRequest.SecurityRequest toRequest() {
        return new RunRequest.SecurityRequest(capAdd, capDrop, privileged, securityOpts, volumes, mounts, tmpfs,
                readOnly, readOnlyTmpfs, userns, ulimits, devices, hostUsers, secrets, volumesFrom);
    }
}
