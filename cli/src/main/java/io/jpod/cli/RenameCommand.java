package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod rename`: Rename a container. */
@Command(name = "rename", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Rename a container.")
public final class RenameCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Parameters(index = "1", paramLabel = "NAME", description = "The new name")
    String name;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            engine.containers().rename(container, name);
            return 0;
        }
    }
}
