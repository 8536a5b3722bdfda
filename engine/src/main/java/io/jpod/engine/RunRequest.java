package io.jpod.engine;

import java.util.List;

/** Everything `jpod run` was asked for, already parsed by the CLI. */
public record RunRequest(
        String image,
        List<String> command,
        String entrypoint,
        List<String> env,
        String workdir,
        String user,
        String name,
        String hostname,
        boolean remove,
        String network,
        List<String> addHosts,
        PullPolicy pull,
        boolean tlsVerify,
        boolean quietPull,
        String platform) {
}
