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

    @Option(names = {"-i", "--interactive"}, description = "Attach stdin too (implies -a)")
    boolean interactive;

    @Option(names = "--detach-keys", paramLabel = "KEYS", description = "Key sequence that detaches with -i (default: ctrl-p,ctrl-q; \"\" disables)")
    String detachKeys;

    @Option(names = "--sig-proxy", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "With -i: forward received signals to the container (default: true)")
    boolean sigProxy;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            if (interactive) {
                if (containers.size() != 1) {
                    throw new io.jpod.engine.EngineException("start --interactive takes exactly one container");
                }
                return engine.startInteractive(containers.get(0), new io.jpod.engine.AttachOptions(detachKeys, false, sigProxy));
            }
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
