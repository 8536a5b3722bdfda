package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.RunRequest;
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

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            Long pids = pidsLimit != null && pidsLimit <= 0 ? Long.valueOf(-1) : pidsLimit;
            engine.update(container, new RunRequest.ResourceRequest(memory, memorySwap, null, cpus, null, null, null, pids));
            jpod.out.println(engine.container(container).id());
            return 0;
        }
    }
}
