package io.jpod.storage;

import java.util.List;

/** An address of a network given to a container: the name and aliases it answers to there, and its interface inside. */
public record NetworkLease(String ip, String containerId, String containerName, List<String> aliases, String interfaceName) {
    public NetworkLease {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }
}
