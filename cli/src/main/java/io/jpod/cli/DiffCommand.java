package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** `jpod diff CONTAINER`: A/C/D lines like podman. */
@Command(name = "diff", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List the files a container added (A), changed (C) or deleted (D).")
public final class DiffCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            engine.containerFiles().diff(container).forEach(c -> jpod.out.println(c));
            return 0;
        }
    }
}
