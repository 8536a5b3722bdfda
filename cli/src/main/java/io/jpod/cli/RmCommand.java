package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** `jpod rm`: remove stopped containers. */
@Command(name = "rm", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Remove one or more containers.")
public final class RmCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @picocli.CommandLine.Option(names = {"-f", "--force"}, description = "Kill running containers first")
    boolean force;

    @picocli.CommandLine.Option(names = {"-v", "--volumes"}, description = "Also remove the container's anonymous volumes")
    boolean volumes;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            for (String c : containers) {
                engine.removeContainer(c, force, volumes);
                jpod.out.println(c);
            }
            return 0;
        }
    }
}
