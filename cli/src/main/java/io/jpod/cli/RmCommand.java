package io.jpod.cli;

import io.jpod.engine.container.ContainerRemoveOptions;
import io.jpod.engine.ContainerRunningException;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchContainerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `jpod rm`: remove containers; podman's exit codes (1: one did not exist, 2: one is running, 125: other). */
@Command(name = "rm", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Remove one or more containers.")
public final class RmCommand extends EachContainerCommand {
    @Option(names = {"-f", "--force"}, description = "Kill running containers first")
    boolean force;

    @Option(names = {"-v", "--volumes"}, description = "Also remove the container's anonymous volumes")
    boolean volumes;

    @Option(names = {"-i", "--ignore"}, description = "Ignore containers that do not exist")
    boolean ignore;

    @Option(names = "--depend", description = "Remove the containers that depend on it (--network container:NAME) first")
    boolean depend;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS",
            description = "Seconds to wait for a running container to stop before killing it (needs --force; default 0: kill at once)")
    Integer time;

    @Override
    void check() {
        if (time != null && !force) {
            throw new EngineException("--force option must be specified to use the --time option");
        }
        if (time != null && time < 0) {
            throw new EngineException("--time " + time + " is negative: give the seconds to wait, 0 to kill at once");
        }
    }

    @Override
    String each(Engine engine, String container) {
        if (depend || targets.all) { // --all: a container's dependents may come after it in the list
            return String.join("\n", engine.removeContainerAndDependents(container, force, volumes, time == null ? 0 : time));
        }
        engine.containers().remove(container, new ContainerRemoveOptions(force, volumes, time == null ? 0 : time));
        return container;
    }

    @Override
    boolean ignoreMissing() {
        return ignore || force || targets.all; // podman's --force also means "whether it exists or not"; --all: gone with another
    }

    @Override
    int failureCode(EngineException e) {
        return e instanceof NoSuchContainerException ? 1 : e instanceof ContainerRunningException ? 2 : Main.EXIT_ENGINE;
    }
}
