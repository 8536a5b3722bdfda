package io.jpod.cli;

import io.jpod.engine.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** `jpod run` options about the container's network (shared with `create` later). */
@Command
public final class RunNetworkOptions {
    @Option(names = {"--network", "--net"}, paramLabel = "MODE", defaultValue = "slirp4netns",
            description = "slirp4netns (default), none or host")
    String network;

    @Option(names = "--add-host", paramLabel = "HOST:IP", description = "Add a line to /etc/hosts")
    List<String> addHosts = new ArrayList<>();

    RunRequest.NetworkRequest toRequest() {
        return new RunRequest.NetworkRequest(network, List.copyOf(addHosts));
    }
}
