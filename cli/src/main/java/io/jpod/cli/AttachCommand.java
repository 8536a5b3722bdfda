package io.jpod.cli;

import io.jpod.engine.container.AttachOptions;
import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** `jpod attach`: the output of a running container and, for -i containers, our stdin; exits with its status. */
@Command(name = "attach", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Attach to a running container: its output, and stdin for -i containers; detach with ctrl-p,ctrl-q.")
public final class AttachCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = "--detach-keys", paramLabel = "KEYS", description = "Key sequence that detaches (default: ctrl-p,ctrl-q; \"\" disables)")
    String detachKeys;

    @Option(names = "--no-stdin", description = "Do not attach stdin")
    boolean noStdin;

    @Option(names = "--sig-proxy", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Forward received signals to the container (not with -t; default: true)")
    boolean sigProxy;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            return engine.containers().attach(container, new AttachOptions(detachKeys, noStdin, sigProxy), jpod.context());
        }
    }
}
