package io.jpod.cli;

import io.jpod.engine.container.ContainerStopOptions;
import io.jpod.storage.ContainerState;
import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerListReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `jpod stop`: Stop running containers: the stop signal, then SIGKILL after the timeout. */
@Command(name = "stop", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Stop running containers: the stop signal, then SIGKILL after the timeout.")
public final class StopCommand extends EachContainerCommand {
    @Option(names = {"-t", "--time", "--timeout"}, paramLabel = "SECONDS", description = "Seconds to wait before SIGKILL (default: the container's stop timeout, 10)")
    Integer time;

    @Option(names = {"-i", "--ignore"}, description = "Ignore containers that do not exist")
    boolean ignore;

    @Override
    boolean includedInAll(ContainerListReport c) {
        return c.state() == ContainerState.RUNNING;
    }

    @Override
    boolean ignoreMissing() {
        return ignore;
    }

    @Override
    String each(Engine engine, String container) {
        String warning = engine.containers().stop(container, new ContainerStopOptions(time)).warning();
        if (warning != null) {
            jpod.global.warn(jpod.err, warning);
        }
        return container;
    }
}
