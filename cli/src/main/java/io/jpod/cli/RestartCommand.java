package io.jpod.cli;

import io.jpod.engine.container.ContainerRestartOptions;
import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `jpod restart`: Stop and start containers again. */
@Command(name = "restart", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Stop and start containers again.")
public final class RestartCommand extends EachContainerCommand {
    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before SIGKILL (default: the container's stop timeout)")
    Integer time;

    @Override
    String each(Engine engine, String container) {
        engine.containers().restart(container, new ContainerRestartOptions(time));
        return container;
    }
}
