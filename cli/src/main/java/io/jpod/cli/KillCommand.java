package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod kill`: Send a signal to running containers. */
@Command(name = "kill", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Send a signal to running containers.")
public final class KillCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", defaultValue = "KILL", description = "Signal to send (default: SIGKILL)")
    String signal;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            for (String c : containers) {
                engine.kill(c, signal);
                jpod.out.println(c);
            }
            return 0;
        }
    }
}
