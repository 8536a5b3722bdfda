package io.jpod.cli;

import io.jpod.engine.container.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** `jpod run` options about resource limits (cgroups), podman's names and units. */
@Command
public final class RunResourceOptions {
    @Option(names = "--kernel-memory", paramLabel = "SIZE", description = "Ignored, with a warning: kernels no longer limit kernel memory apart")
    String kernelMemory;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit (e.g. 512m, 1g)")
    String memory;

    @Option(names = "--memory-swap", paramLabel = "SIZE", description = "Memory plus swap limit, or -1 for unlimited swap")
    String memorySwap;

    @Option(names = "--memory-reservation", paramLabel = "SIZE", description = "Memory soft limit")
    String memoryReservation;

    @Option(names = "--cpus", paramLabel = "N", description = "Number of CPUs (e.g. 0.5)")
    String cpus;

    @Option(names = {"-c", "--cpu-shares"}, paramLabel = "SHARES", description = "CPU shares (relative weight, 2-262144)")
    Long cpuShares;

    @Option(names = "--cpu-weight", paramLabel = "WEIGHT", description = "CPU weight (cgroup v2, 1-10000)")
    Long cpuWeight;

    @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs in which to allow execution (e.g. 0-1,3)")
    String cpusetCpus;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of processes (default 2048; 0 or -1: unlimited)")
    Long pidsLimit;

    @Option(names = "--blkio-weight", paramLabel = "WEIGHT", description = "Block I/O weight (relative, 10-1000; 0: none)")
    Integer blkioWeight;

    @Option(names = "--blkio-weight-device", paramLabel = "DEVICE:WEIGHT", description = "Block I/O weight for a device (e.g. /dev/sda:200)")
    List<String> blkioWeightDevice = new ArrayList<>();

    @Option(names = "--device-read-bps", paramLabel = "DEVICE:RATE", description = "Limit read rate from a device (e.g. /dev/sda:1mb)")
    List<String> deviceReadBps = new ArrayList<>();

    @Option(names = "--device-write-bps", paramLabel = "DEVICE:RATE", description = "Limit write rate to a device (e.g. /dev/sda:1mb)")
    List<String> deviceWriteBps = new ArrayList<>();

    @Option(names = "--device-read-iops", paramLabel = "DEVICE:IOPS", description = "Limit read operations per second from a device (e.g. /dev/sda:1000)")
    List<String> deviceReadIops = new ArrayList<>();

    @Option(names = "--device-write-iops", paramLabel = "DEVICE:IOPS", description = "Limit write operations per second to a device (e.g. /dev/sda:1000)")
    List<String> deviceWriteIops = new ArrayList<>();

    @Option(names = "--shm-size", paramLabel = "SIZE", description = "Size of /dev/shm (e.g. 64m, 1g; default 64m; 0: no limit)")
    String shmSize;

    RunRequest.ResourceRequest toRequest() {
        return new RunRequest.ResourceRequest(memory, memorySwap, memoryReservation, cpus, cpuShares, cpuWeight, cpusetCpus,
                pidsLimit, new RunRequest.BlockIoRequest(blkioWeight, blkioWeightDevice, deviceReadBps, deviceWriteBps,
                        deviceReadIops, deviceWriteIops), shmSize);
    }
}
