package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod cp`: Copy files between a container and the host (CONTAINER:PATH on one side). */
@Command(name = "cp", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Copy files between a container and the host (CONTAINER:PATH on one side).")
public final class CpCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "SRC", description = "Source: host path or CONTAINER:PATH")
    String source;

    @Parameters(index = "1", paramLabel = "DEST", description = "Destination: host path or CONTAINER:PATH")
    String destination;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            engine.copy(source, destination);
            return 0;
        }
    }
}
