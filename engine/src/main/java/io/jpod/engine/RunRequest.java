package io.jpod.engine;

import java.util.List;

/**
 * Everything `jpod run` was asked for, already parsed by the CLI, grouped by concern so each group can grow
 * on its own: the process, the image pull, networking, lifecycle (detach, tty, init), security (capabilities,
 * seccomp, mounts, user namespace) and resource limits.
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
        ResourceRequest resources) {

    /** What runs and as whom. */
    public record ProcessRequest(String entrypoint, List<String> env, String workdir, String user, String hostname) {
    }

    /** When and how the image is pulled. */
    public record PullRequest(PullPolicy policy, boolean tlsVerify, boolean quiet, String platform) {
    }

    /** --network and friends. */
    public record NetworkRequest(String mode, List<String> addHosts) {
    }

    /**
     * How the container is attached and supervised (-d, -t, -i, --init, --stop-signal, --stop-timeout, --label).
     * stopSignal and stopTimeout are null for the defaults (SIGTERM, 10 s).
     */
    public record LifecycleRequest(boolean detach, boolean tty, boolean interactive, boolean init, String stopSignal,
                                   Integer stopTimeout, java.util.Map<String, String> labels) {
        public LifecycleRequest(boolean detach, boolean tty, boolean interactive) {
            this(detach, tty, interactive, false, null, null, java.util.Map.of());
        }
    }

    /** The sandbox: capabilities, seccomp, mounts, user namespace mode. Empty for now: the defaults. */
    public record SecurityRequest() {
    }

    /** Resource limits from the delegated cgroup. Empty for now: none. */
    public record ResourceRequest() {
    }
}
