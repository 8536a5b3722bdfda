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

    /**
     * --network and friends: the mode with its options ({@code slirp4netns:allow_host_loopback=true}), --add-host,
     * -p/--publish specs, -P/--publish-all, --dns, --dns-search, --dns-option.
     */
    public record NetworkRequest(String mode, List<String> addHosts, List<String> publish, boolean publishAll,
                                 List<String> dns, List<String> dnsSearch, List<String> dnsOptions) {
        public NetworkRequest(String mode, List<String> addHosts) {
            this(mode, addHosts, List.of(), false, List.of(), List.of(), List.of());
        }
    }

    /** How the container is attached and supervised (-d, -t, -i, --init). */
    public record LifecycleRequest(boolean detach, boolean tty, boolean interactive) {
    }

    /** The sandbox: capabilities, seccomp, mounts, user namespace mode. Empty for now: the defaults. */
    public record SecurityRequest() {
    }

    /** Resource limits from the delegated cgroup. Empty for now: none. */
    public record ResourceRequest() {
    }
}
