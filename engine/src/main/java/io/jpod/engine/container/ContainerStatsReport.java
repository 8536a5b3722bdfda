package io.jpod.engine.container;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One container's resource use at one sample (a row of `stats`): the texts podman prints and the bytes behind the
 * memory columns. The JSON names are jpod's `stats --format json` keys.
 */
@JsonPropertyOrder({"id", "name", "cpu_percent", "mem_usage", "mem_usage_bytes", "mem_limit_bytes", "mem_percent", "net_io",
        "block_io", "pids"})
public record ContainerStatsReport(@JsonProperty("id") String id, @JsonProperty("name") String name,
                                   @JsonProperty("cpu_percent") String cpuPercent, @JsonProperty("mem_usage") String memUsage,
                                   @JsonProperty("mem_usage_bytes") long memUsageBytes,
                                   @JsonProperty("mem_limit_bytes") long memLimitBytes,
                                   @JsonProperty("mem_percent") String memPercent, @JsonProperty("net_io") String netIo,
                                   @JsonProperty("block_io") String blockIo, @JsonProperty("pids") String pids) {
}
