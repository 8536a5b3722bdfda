package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod wait`: Wait for containers to end and print their exit codes. */
@Command(name = "wait", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Wait for containers to end and print their exit codes.")
public final class WaitCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            for (String c : containers) {
                jpod.out.println(engine.waitFor(c));
            }
            return 0;
        }
    }
}
