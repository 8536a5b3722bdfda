package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** `jpod attach`: the output of a running container until it ends; exits with its status. */
@Command(name = "attach", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Follow the output of a running container until it ends (stdin is not attached).")
public final class AttachCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            return engine.attach(container, jpod.out, jpod.err);
        }
    }
}
