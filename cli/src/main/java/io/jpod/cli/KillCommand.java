package io.jpod.cli;

import io.jpod.engine.container.ContainerKillOptions;
import io.jpod.storage.ContainerState;
import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerListReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `jpod kill`: Send a signal to running containers. */
@Command(name = "kill", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Send a signal to running containers.")
public final class KillCommand extends EachContainerCommand {
    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", defaultValue = "KILL", description = "Signal to send (default: SIGKILL)")
    String signal;

    @Override
    boolean includedInAll(ContainerListReport c) {
        return c.state() == ContainerState.RUNNING;
    }

    @Override
    String each(Engine engine, String container) {
        engine.containers().kill(container, new ContainerKillOptions(signal));
        return container;
    }
}
