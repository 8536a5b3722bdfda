package io.jpod.engine.network;

import java.util.List;

/**
 * `network connect`'s options.
 *
 * @param aliases more names of the container on the network
 * @param ip      a fixed address on it, or null for the next free one
 */
public record NetworkConnectOptions(List<String> aliases, String ip) {
    public NetworkConnectOptions {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }
}
