package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod stop`: Stop running containers: the stop signal, then SIGKILL after the timeout. */
@Command(name = "stop", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Stop running containers: the stop signal, then SIGKILL after the timeout.")
public final class StopCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before SIGKILL (default: the container's stop timeout, 10)")
    Integer time;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            for (String c : containers) {
                engine.stop(c, time);
                jpod.out.println(c);
            }
            return 0;
        }
    }
}
