package io.jpod.engine.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.jpod.storage.NetworkRecord;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One user network as `network ls/inspect` show it, in podman 4's JSON names (its `network inspect --format json`
 * shape, which is also how the store keeps it).
 */
@JsonPropertyOrder({"name", "id", "driver", "network_interface", "created", "subnets", "ipv6_enabled", "internal",
        "dns_enabled", "labels", "options", "ipam_options"})
public record NetworkReport(
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

    /** One subnet: CIDR, the bridge's address, and optionally the range addresses are leased from. */
    @JsonPropertyOrder({"subnet", "gateway", "lease_range"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Subnet(@JsonProperty("subnet") String subnet, @JsonProperty("gateway") String gateway,
                         @JsonProperty("lease_range") LeaseRange leaseRange) {
    }

    @JsonPropertyOrder({"start_ip", "end_ip"})
    public record LeaseRange(@JsonProperty("start_ip") String startIp, @JsonProperty("end_ip") String endIp) {
    }

    static NetworkReport of(NetworkRecord r) {
        return new NetworkReport(r.name(), r.id(), r.driver(), r.networkInterface(), r.created(),
                r.subnets().stream().map(s -> new Subnet(s.subnet(), s.gateway(), s.leaseRange() == null ? null
                        : new LeaseRange(s.leaseRange().startIp(), s.leaseRange().endIp()))).toList(),
                r.ipv6Enabled(), r.internal(), r.dnsEnabled(), r.labels(), r.options(), r.ipamOptions());
    }
}
