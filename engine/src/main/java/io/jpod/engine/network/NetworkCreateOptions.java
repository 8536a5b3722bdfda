package io.jpod.engine.network;

import java.util.List;
import java.util.Map;

/**
 * What `network create` was asked for (the strings as given; validated by the engine).
 *
 * @param name null: the next free podmanN
 */
public record NetworkCreateOptions(String name, String driver, List<String> subnets, List<String> gateways,
                                   List<String> ipRanges, boolean internal, boolean disableDns,
                                   Map<String, String> labels, Map<String, String> options, boolean ipv6) {
}
