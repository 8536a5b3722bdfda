package io.jpod.storage;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An address of a network given to a container: the name and aliases it answers to there, and its interface inside;
 * {@code ipv6} its IPv6 address on a network created with --ipv6 (else null, and absent from leases.json).
 */
public record NetworkLease(String ip, String containerId, String containerName, List<String> aliases, String interfaceName,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String ipv6) {
    public NetworkLease {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }
}
