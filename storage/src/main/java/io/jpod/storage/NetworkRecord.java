package io.jpod.storage;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A user-defined network as `jpod network create` made it, in podman 4's JSON names (its `network inspect` shape):
 * one bridge ({@code network_interface}) in the user's network namespace, its subnets with their gateway and the
 * range leases come from: IPv4 first, then the IPv6 one of a dual-stack network ({@code ipv6_enabled}).
 */
@JsonPropertyOrder({"name", "id", "driver", "network_interface", "created", "subnets", "ipv6_enabled", "internal",
        "dns_enabled", "labels", "options", "ipam_options"})
public record NetworkRecord(
        @JsonProperty("name") String name,
        @JsonProperty("id") String id,
        @JsonProperty("driver") String driver,
        @JsonProperty("network_interface") String networkInterface,
        @JsonProperty("created") Instant created,
        @JsonProperty("subnets") List<Subnet> subnets,
        @JsonProperty("ipv6_enabled") boolean ipv6Enabled,
        @JsonProperty("internal") boolean internal,
        @JsonProperty("dns_enabled") boolean dnsEnabled,
        @JsonProperty("labels") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> labels,
        @JsonProperty("options") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> options,
        @JsonProperty("ipam_options") Map<String, String> ipamOptions) {

    public NetworkRecord {
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        options = options == null ? Map.of() : Map.copyOf(options);
        ipamOptions = ipamOptions == null ? Map.of("driver", "host-local") : Map.copyOf(ipamOptions);
    }

    /** One subnet: CIDR, the bridge's address, and optionally the range addresses are leased from. */
    @JsonPropertyOrder({"subnet", "gateway", "lease_range"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Subnet(@JsonProperty("subnet") String subnet, @JsonProperty("gateway") String gateway,
                         @JsonProperty("lease_range") LeaseRange leaseRange) {
    }

    @JsonPropertyOrder({"start_ip", "end_ip"})
    public record LeaseRange(@JsonProperty("start_ip") String startIp, @JsonProperty("end_ip") String endIp) {
    }

    /** The MTU the network's links get ({@code --opt mtu=N}), 0 for the default. */
    public int mtu() {
        String m = options.get("mtu");
        return m == null ? 0 : Integer.parseInt(m);
    }
}
