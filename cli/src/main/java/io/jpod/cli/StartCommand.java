package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod start`: Start stopped containers. */
@Command(name = "start", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Start stopped containers.")
public final class StartCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-a", "--attach"}, description = "Attach to the container's output and wait for it (one container)")
    boolean attach;

    @Option(names = {"-i", "--interactive"}, description = "Attach stdin too (with -a)")
    boolean interactive;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            if (attach) {
                if (containers.size() != 1) {
                    throw new io.jpod.engine.EngineException("start --attach takes exactly one container");
                }
                return engine.start(containers.get(0), true, interactive);
            }
            for (String c : containers) {
                int code = engine.start(c, false, false);
                if (code != 0) {
                    return code;
                }
                jpod.out.println(c);
            }
            return 0;
        }
    }
}
