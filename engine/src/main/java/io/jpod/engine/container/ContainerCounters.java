package io.jpod.engine.container;

import java.time.Instant;

/**
 * One raw reading of a container's counters, for front ends that compute their own rates (docker's stats API):
 * -1 where a counter cannot be read (no delegated cgroup, no network namespace); all -1 but {@code at} when the
 * container is not running.
 *
 * @param memLimit the cgroup's memory limit, the host's memory when unlimited
 */
public record ContainerCounters(String id, String name, boolean running, Instant at, long cpuNanos, long memUsage,
                                long memLimit, long pids, long netIn, long netOut, long blockIn, long blockOut) {
}
