package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.container.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** `jpod update`: change a container's resource limits. */
@Command(name = "update", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Update the resource limits of a container.")
public final class UpdateCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit (e.g. 512m)")
    String memory;

    @Option(names = "--memory-swap", paramLabel = "SIZE", description = "Memory plus swap limit, or -1")
    String memorySwap;

    @Option(names = "--cpus", paramLabel = "N", description = "Number of CPUs (e.g. 0.5)")
    String cpus;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of processes (0 or -1: unlimited)")
    Long pidsLimit;

    @Option(names = "--blkio-weight", paramLabel = "WEIGHT", description = "Block I/O weight (10-1000)")
    Integer blkioWeight;

    @Option(names = "--blkio-weight-device", paramLabel = "DEVICE:WEIGHT", description = "Block I/O weight for a device")
    java.util.List<String> blkioWeightDevice = new java.util.ArrayList<>();

    @Option(names = "--device-read-bps", paramLabel = "DEVICE:RATE", description = "Limit read rate from a device (e.g. /dev/sda:1mb)")
    java.util.List<String> deviceReadBps = new java.util.ArrayList<>();

    @Option(names = "--device-write-bps", paramLabel = "DEVICE:RATE", description = "Limit write rate to a device")
    java.util.List<String> deviceWriteBps = new java.util.ArrayList<>();

    @Option(names = "--device-read-iops", paramLabel = "DEVICE:IOPS", description = "Limit read operations per second from a device")
    java.util.List<String> deviceReadIops = new java.util.ArrayList<>();

    @Option(names = "--device-write-iops", paramLabel = "DEVICE:IOPS", description = "Limit write operations per second to a device")
    java.util.List<String> deviceWriteIops = new java.util.ArrayList<>();

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            boolean nothing = memory == null && memorySwap == null && cpus == null && pidsLimit == null && blkioWeight == null
                    && blkioWeightDevice.isEmpty() && deviceReadBps.isEmpty() && deviceWriteBps.isEmpty() && deviceReadIops.isEmpty()
                    && deviceWriteIops.isEmpty();
            if (nothing) { // no limit to change: done, cgroup or not (podman's update succeeds too)
                jpod.out.println(engine.containers().lookup(container).id());
                return 0;
            }
            Long pids = pidsLimit != null && pidsLimit <= 0 ? Long.valueOf(-1) : pidsLimit;
            engine.update(container, new RunRequest.ResourceRequest(memory, memorySwap, null, cpus, null, null, null, pids,
                    new RunRequest.BlockIoRequest(blkioWeight, blkioWeightDevice, deviceReadBps, deviceWriteBps, deviceReadIops,
                            deviceWriteIops)));
            jpod.out.println(engine.containers().lookup(container).id());
            return 0;
        }
    }
}
