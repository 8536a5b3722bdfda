package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod inspect`: Show the configuration and state of containers as JSON. */
@Command(name = "inspect", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Show the configuration and state of containers as JSON.")
public final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json (default)")
    String format;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            jpod.out.println(Formats.json(engine.inspect(containers)));
            return 0;
        }
    }
}
