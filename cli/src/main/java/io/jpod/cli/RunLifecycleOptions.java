package io.jpod.cli;

import io.jpod.engine.EngineException;
import io.jpod.engine.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `jpod run` options about how the container is attached and supervised. */
@Command
public final class RunLifecycleOptions {
    @Option(names = {"-i", "--interactive"}, description = "Keep stdin open")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal")
    boolean tty;

    @Option(names = {"-d", "--detach"}, description = "Run in the background and print the container id")
    boolean detach;

    RunRequest.LifecycleRequest toRequest() {
        if (tty) {
            throw new EngineException("--tty is not supported yet; run without -t");
        }
        if (detach) {
            throw new EngineException("--detach is not supported yet; run in the foreground");
        }
        return new RunRequest.LifecycleRequest(detach, tty, interactive);
    }
}
